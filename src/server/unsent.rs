//! Answers charged to `--max-bytes-in-flight` until HTTP/2 has written them.
//!
//! hyper takes a body's next frame as soon as the call's stream has any send window and
//! queues all of it in HTTP/2, where a client that never reads leaves it until the connection
//! closes. So an answer is handed over in pieces of at most [`PIECE`] bytes: hyper holds one
//! piece while it waits for the client's window, and the rest stays in this body, where the
//! call's deadline can drop it. Every byte is charged: a piece carries its own charge, given
//! back when HTTP/2 drops it (written to the socket, or the stream gone); the encoded answer
//! from tonic is charged whole until its last piece is copied out (a unary call's trailers
//! are taken with its message, so that tonic's body, which shares the answer's buffer, goes
//! at once).
//!
//! An answer the budget cannot hold ends the call with RESOURCE_EXHAUSTED; one still unsent
//! at the call's deadline is dropped, its charge given back, and the call ends with
//! DEADLINE_EXCEEDED if the client ever reads that far. A piece hyper already holds stays
//! (charged) until the client reads it or the connection closes.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Waker};

use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::task::AbortHandle;
use tonic::body::Body;
use tonic::codegen::http::HeaderMap;
use tonic::codegen::Bytes;
use tonic::Status;

use super::budget::{ByteBudget, Charge};
use super::deadline::CallDeadline;

/// The most bytes of an answer handed to HTTP/2 at once. Larger answers are copied out in
/// pieces this size, so that what HTTP/2 holds does not keep the whole answer alive.
pub const PIECE: usize = 64 << 10;

/// What a call's answer body holds that HTTP/2 does not have yet; shared with the deadline
/// timer, which drops it.
#[derive(Default)]
pub struct Unsent {
    /// Tonic's answer, until it has ended.
    inner: Option<Body>,
    /// A frame taken from `inner` ahead of time (to see whether it had ended).
    queued: Option<Result<Frame<Bytes>, Status>>,
    /// The current chunk's bytes not yet handed out, and their charge.
    rest: Bytes,
    charge: Option<Charge>,
    /// The deadline passed with the answer unsent.
    expired: bool,
    /// The task waiting on `inner`, woken when the deadline drops it.
    waker: Option<Waker>,
}

impl Unsent {
    /// Marks the answer expired and returns what it held, to be dropped (and its waiting task
    /// woken) once the lock is released.
    fn expire(&mut self) -> Unsent {
        std::mem::replace(self, Unsent { expired: true, ..Unsent::default() })
    }

    /// Whether any of the answer's bytes are still here, beyond its trailers.
    fn holds_bytes(&self) -> bool {
        let queued_data = self.queued.as_ref().is_some_and(|frame| frame.as_ref().is_ok_and(Frame::is_data));
        self.inner.is_some() || queued_data || !self.rest.is_empty()
    }
}

/// What a call shares between its request side and its answer body, as this module needs it.
pub trait Shared: Send + Sync + 'static {
    /// The answer's unsent part.
    fn unsent(&self) -> &Mutex<Unsent>;
    /// Gives back the request's charge: the request has been decoded and dropped by the time
    /// a unary call answers.
    fn release_request(&self);
}

/// A call's answer body, handed to hyper in charged pieces (see the module's doc).
pub struct UnsentAnswer<H: Shared> {
    shared: Arc<H>,
    budget: Arc<ByteBudget>,
    deadline: Option<CallDeadline>,
    /// A unary call: its one answer message comes after its request is gone.
    unary: bool,
    timer: Option<AbortHandle>,
    done: bool,
}

impl<H: Shared> UnsentAnswer<H> {
    /// The answer `inner` of the call that shares `shared`.
    pub fn new(
        inner: Body,
        shared: Arc<H>,
        budget: Arc<ByteBudget>,
        deadline: Option<CallDeadline>,
        unary: bool,
    ) -> Self {
        lock(shared.unsent()).inner = Some(inner);
        Self { shared, budget, deadline, unary, timer: None, done: false }
    }

    /// The next frame for hyper: a piece of the chunk in hand, else tonic's next frame.
    fn next_frame(&mut self, unsent: &mut Unsent, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        if unsent.expired {
            self.done = true;
            let status = self.deadline.map_or_else(|| Status::deadline_exceeded(""), |d| d.exceeded().into());
            return Poll::Ready(Some(Ok(trailers(&status))));
        }
        if !unsent.rest.is_empty() {
            return Poll::Ready(Some(Ok(Frame::data(self.piece(unsent)))));
        }
        let frame = match unsent.queued.take() {
            Some(frame) => frame,
            None => match unsent.inner.as_mut() {
                Some(inner) => match Pin::new(inner).poll_frame(cx) {
                    Poll::Pending => {
                        remember(&mut unsent.waker, cx.waker());
                        return Poll::Pending;
                    }
                    Poll::Ready(Some(frame)) => frame,
                    Poll::Ready(None) => {
                        self.end(unsent);
                        return Poll::Ready(None);
                    }
                },
                None => {
                    self.end(unsent);
                    return Poll::Ready(None);
                }
            },
        };
        match frame {
            Ok(frame) if frame.is_data() => self.admit(unsent, frame, cx),
            other => {
                self.end(unsent);
                Poll::Ready(Some(other))
            }
        }
    }

    /// Charges a chunk of tonic's answer and hands out its first piece.
    fn admit(
        &mut self,
        unsent: &mut Unsent,
        frame: Frame<Bytes>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let chunk = frame.into_data().unwrap_or_default();
        if self.unary {
            self.shared.release_request();
        }
        let Some(charge) = self.budget.try_take(chunk.len()) else {
            self.end(unsent);
            return Poll::Ready(Some(Ok(trailers(&too_large(chunk.len(), self.budget.limit())))));
        };
        unsent.rest = chunk;
        unsent.charge = Some(charge);
        // A unary answer's trailers are ready with its message: taken now, tonic's body (and
        // its share of the answer's buffer) goes at once.
        if let Some(inner) = unsent.inner.as_mut().filter(|_| self.unary) {
            match Pin::new(inner).poll_frame(cx) {
                Poll::Ready(frame) => {
                    unsent.queued = frame;
                    unsent.inner = None;
                }
                Poll::Pending => remember(&mut unsent.waker, cx.waker()),
            }
        }
        let piece = self.piece(unsent);
        if unsent.holds_bytes() && self.timer.is_none() {
            self.timer = self.deadline.map(|deadline| expire_at(Arc::downgrade(&self.shared), deadline));
        }
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    /// The next piece of the chunk in hand, charged until HTTP/2 drops it. A chunk that fits
    /// in one piece is handed over as it is, with its charge; a larger one is copied out, so
    /// that the pieces HTTP/2 holds do not keep the whole chunk alive.
    fn piece(&self, unsent: &mut Unsent) -> Bytes {
        if unsent.rest.len() <= PIECE {
            let charge = unsent.charge.take();
            return Bytes::from_owner(Charged { bytes: std::mem::take(&mut unsent.rest), _charge: charge });
        }
        let size = unsent.rest.len().min(PIECE);
        let bytes = Bytes::copy_from_slice(&unsent.rest[..size]);
        let _ = unsent.rest.split_to(size);
        // The chunk's charge never falls below its unsent bytes, so it can always lend them.
        let charge = self.budget.try_take(size).or_else(|| unsent.charge.as_mut().and_then(|c| c.split(size)));
        if unsent.rest.is_empty() {
            unsent.charge = None;
        }
        Bytes::from_owner(Charged { bytes, _charge: charge })
    }

    fn end(&mut self, unsent: &mut Unsent) {
        self.done = true;
        unsent.inner = None;
        unsent.queued = None;
        unsent.charge = None;
    }
}

impl<H: Shared> HttpBody for UnsentAnswer<H> {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let shared = Arc::clone(&self.shared);
        let mut unsent = lock(shared.unsent());
        self.next_frame(&mut unsent, cx)
    }

    /// Ended, or tonic's answer is over before a frame was taken: a status-only answer
    /// (its status in the headers, as for a call refused before its handler) must say so at
    /// once, for HTTP/2 to end the stream with its headers; gRPC clients read no status from
    /// headers that do not end the stream.
    fn is_end_stream(&self) -> bool {
        if self.done {
            return true;
        }
        let unsent = lock(self.shared.unsent());
        let untouched = !unsent.expired && unsent.queued.is_none() && unsent.rest.is_empty();
        untouched && unsent.inner.as_ref().is_some_and(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

impl<H: Shared> Drop for UnsentAnswer<H> {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.abort();
        }
        let mut unsent = lock(self.shared.unsent());
        let dropped = std::mem::take(&mut *unsent);
        drop(unsent);
        drop(dropped);
    }
}

/// Bytes handed to HTTP/2 with their charge, given back when HTTP/2 drops them.
struct Charged {
    bytes: Bytes,
    _charge: Option<Charge>,
}

impl AsRef<[u8]> for Charged {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// At `deadline`, drops what the call's answer still holds unsent.
fn expire_at<H: Shared>(shared: Weak<H>, deadline: CallDeadline) -> AbortHandle {
    tokio::spawn(async move {
        tokio::time::sleep_until(deadline.at).await;
        if let Some(shared) = shared.upgrade() {
            let mut dropped = lock(shared.unsent()).expire();
            if let Some(waker) = dropped.waker.take() {
                waker.wake();
            }
        }
    })
    .abort_handle()
}

fn remember(slot: &mut Option<Waker>, waker: &Waker) {
    if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
        *slot = Some(waker.clone());
    }
}

fn lock(unsent: &Mutex<Unsent>) -> MutexGuard<'_, Unsent> {
    unsent.lock().unwrap_or_else(PoisonError::into_inner)
}

fn trailers(status: &Status) -> Frame<Bytes> {
    let mut headers = HeaderMap::new();
    // A status always fits in headers: its message is percent-encoded.
    let _ = status.add_header(&mut headers);
    Frame::trailers(headers)
}

fn too_large(bytes: usize, limit: usize) -> Status {
    Status::resource_exhausted(format!(
        "the server cannot hold this call's {bytes}-byte answer now: the calls in progress and the answers not yet read by their clients hold up to {limit} bytes (--max-bytes-in-flight); retry with backoff"
    ))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http_body_util::BodyExt;

    use super::*;

    #[derive(Default)]
    struct Call {
        unsent: Mutex<Unsent>,
    }

    impl Shared for Call {
        fn unsent(&self) -> &Mutex<Unsent> {
            &self.unsent
        }

        fn release_request(&self) {}
    }

    /// Tonic's answer: one chunk of `bytes` bytes, then an OK status.
    fn tonic_answer(bytes: usize) -> Body {
        let mut ok = HeaderMap::new();
        ok.insert("grpc-status", "0".parse().expect("header value"));
        let frames = vec![Ok::<_, Status>(Frame::data(Bytes::from(vec![7u8; bytes]))), Ok(Frame::trailers(ok))];
        Body::new(http_body_util::StreamBody::new(tokio_stream::iter(frames)))
    }

    fn answer(bytes: usize, budget: &Arc<ByteBudget>, deadline: Duration) -> UnsentAnswer<Call> {
        let budget = Arc::clone(budget);
        let deadline = CallDeadline { at: tokio::time::Instant::now() + deadline, limit: deadline, set_by: "test" };
        UnsentAnswer::new(tonic_answer(bytes), Arc::default(), budget, Some(deadline), true)
    }

    fn status_code(frame: &Frame<Bytes>) -> Option<&str> {
        frame.trailers_ref()?.get("grpc-status")?.to_str().ok()
    }

    /// A call refused before its handler: tonic's answer is empty, its status in the headers.
    #[test]
    fn a_status_only_answer_ends_with_its_headers() {
        let budget = ByteBudget::new(1 << 20);
        let empty = UnsentAnswer::new(Body::empty(), Arc::<Call>::default(), Arc::clone(&budget), None, true);
        assert!(empty.is_end_stream(), "a status-only answer must end the stream with its headers");
        let with_message = UnsentAnswer::new(tonic_answer(10), Arc::<Call>::default(), budget, None, true);
        assert!(!with_message.is_end_stream());
    }

    #[tokio::test]
    async fn an_answer_goes_out_in_charged_pieces_and_gives_its_charge_back_when_they_are_dropped() {
        let budget = ByteBudget::new(1 << 20);
        let mut body = answer(200_000, &budget, Duration::from_secs(60));
        let mut pieces = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.expect("no error");
            if let Some(piece) = frame.data_ref() {
                assert!(piece.len() <= PIECE, "{} bytes", piece.len());
                pieces.push(piece.clone());
                // The encoded answer stays charged whole until its last piece is out, and each
                // copied piece on top.
                let held = budget.held();
                let copied: usize = pieces.iter().map(Bytes::len).sum();
                assert!(held >= 200_000 + copied.min(3 * PIECE), "{held} bytes charged with {copied} handed out");
            } else {
                assert_eq!(status_code(&frame), Some("0"));
            }
        }
        assert_eq!(pieces.iter().map(Bytes::len).sum::<usize>(), 200_000);
        drop(body);
        assert!(budget.held() > 0, "the pieces HTTP/2 holds stay charged");
        drop(pieces);
        assert_eq!(budget.held(), 0);
    }

    #[tokio::test]
    async fn an_answer_the_budget_cannot_hold_is_resource_exhausted() {
        let budget = ByteBudget::new(100_000);
        let mut body = answer(200_000, &budget, Duration::from_secs(60));
        let frame = body.frame().await.expect("a frame").expect("no error");
        assert_eq!(status_code(&frame), Some("8"));
        assert!(body.frame().await.is_none());
        assert_eq!(budget.held(), 0);
    }

    #[tokio::test]
    async fn what_is_unsent_at_the_deadline_is_dropped() {
        let budget = ByteBudget::new(1 << 20);
        let mut body = answer(500_000, &budget, Duration::from_millis(100));
        let first = body.frame().await.expect("a frame").expect("no error").into_data().expect("a piece");
        assert!(budget.held() >= 500_000);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(budget.held(), first.len(), "only the piece handed out is charged");
        let frame = body.frame().await.expect("a frame").expect("no error");
        assert_eq!(status_code(&frame), Some("4"));
        drop(first);
        assert_eq!(budget.held(), 0);
    }
}
