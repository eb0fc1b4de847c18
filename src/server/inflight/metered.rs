//! The request side of a call under [`super::InFlightLayer`]: its body's gRPC frames
//! followed, and each message admitted against the budget as its header arrives.

use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{ready, Context, Poll};

use http_body::{Body as HttpBody, Frame, SizeHint};
use tonic::body::Body;
use tonic::codegen::Bytes;
use tonic::Status;

use super::{admit, Held, DEFLATE_MAX_RATIO, FRAME_HEADER};
use crate::server::budget::ByteBudget;

/// Follows the gRPC frames of a request body and admits each message as its header arrives.
pub(super) struct Meter {
    pub(super) budget: Arc<ByteBudget>,
    pub(super) max_message: usize,
    pub(super) held: Held,
    pub(super) one_message_at_a_time: bool,
    /// A unary call: a second message is a protocol violation.
    pub(super) one_message_only: bool,
    pub(super) messages: usize,
    pub(super) header: [u8; FRAME_HEADER],
    pub(super) header_filled: usize,
    pub(super) message_left: usize,
}

impl Meter {
    pub(super) fn count(&mut self, mut data: &[u8]) -> Result<(), Status> {
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
pub(super) struct Metered {
    pub(super) inner: Body,
    pub(super) meter: Meter,
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
