//! The answer side of a call under [`super::InFlightLayer`]: the body it hands on, which keeps
//! holding the call's charge (a unary answer until HTTP/2 has written it, a stream's until it
//! is dropped), and the future that wraps each answer in it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::body::Body;
use tonic::codegen::http::Response;
use tonic::codegen::Bytes;
use tonic::Status;

use super::{Held, Hold};
use crate::server::budget::ByteBudget;
use crate::server::deadline::CallDeadline;
use crate::server::unsent::UnsentAnswer;

/// What a call's answer body takes over from its request: the call's [`Hold`], the budget
/// its answer is charged to, and its deadline.
pub(super) struct AnswerHold {
    pub(super) held: Held,
    pub(super) budget: Arc<ByteBudget>,
    pub(super) deadline: Option<CallDeadline>,
    pub(super) unary: bool,
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
        pub(super) answer: F,
        pub(super) hold: Option<AnswerHold>,
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
