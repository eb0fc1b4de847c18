//! The messages' codec: tonic-prost's, except that a large message is encoded or decoded
//! inside `block_in_place`, so that the calls sharing its worker thread move to another
//! thread meanwhile instead of waiting: decoding a 60 MB `ClassifyBatch` takes tens of
//! milliseconds, and the calls queued behind it on that worker waited as long; and that a
//! `ClassifyBatchRequest` over the batch limit is refused from its wire bytes, before it is
//! decoded (see [`super::batch_scan`]).
//!
//! A message arrives here whole and, if it was compressed, already inflated by tonic, which
//! stops inflating at the same size limit as for plain messages (RESOURCE_EXHAUSTED).
//!
//! Included beside the generated code (`build.rs` names it as `super::codec::OffloadingCodec`)
//! wherever that code is, so the server, the command line and the tests share it.

use std::any::TypeId;
use std::marker::PhantomData;

use prost::Message;
use tokio::runtime::{Handle, RuntimeFlavor};
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::Status;
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};

/// Messages from this size on leave the worker thread while they are encoded or decoded:
/// a megabyte takes well under a millisecond, about what handing the worker over costs.
pub const LARGE_MESSAGE_BYTES: usize = 1 << 20;

/// tonic-prost's codec, large messages handled off the worker thread.
#[derive(Debug, Clone)]
pub struct OffloadingCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for OffloadingCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for OffloadingCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = OffloadingEncoder<T>;
    type Decoder = OffloadingDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        OffloadingEncoder(ProstCodec::<T, U>::raw_encoder(BufferSettings::default()))
    }

    fn decoder(&mut self) -> Self::Decoder {
        OffloadingDecoder(ProstCodec::<T, U>::raw_decoder(BufferSettings::default()))
    }
}

#[derive(Debug)]
pub struct OffloadingEncoder<T>(ProstEncoder<T>);

impl<T: Message> Encoder for OffloadingEncoder<T> {
    type Item = T;
    type Error = Status;

    /// The message's length is taken once, both to choose where it is encoded and to make
    /// room for it; `Message::encode` would take it again to check that room, which an
    /// `EncodeBuf` (growing as it is written) never lacks.
    fn encode(&mut self, item: T, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        let len = item.encoded_len();
        buf.reserve(len);
        off_the_worker(len >= LARGE_MESSAGE_BYTES, || item.encode_raw(buf));
        Ok(())
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.0.buffer_settings()
    }
}

#[derive(Debug)]
pub struct OffloadingDecoder<U>(ProstDecoder<U>);

impl<U: Message + Default + 'static> Decoder for OffloadingDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        if TypeId::of::<U>() == TypeId::of::<super::v1::ClassifyBatchRequest>() {
            refuse_batch_over_limit(prost::bytes::Buf::chunk(buf))?;
        }
        let large = prost::bytes::Buf::remaining(buf) >= LARGE_MESSAGE_BYTES;
        off_the_worker(large, || self.0.decode(buf))
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.0.buffer_settings()
    }
}

/// INVALID_ARGUMENT if the encoded `ClassifyBatchRequest` holds more entries than the
/// server's `--max-batch`. A `DecodeBuf` is one contiguous buffer, so `wire` is the whole
/// message.
fn refuse_batch_over_limit(wire: &[u8]) -> Result<(), Status> {
    let limit = super::batch_scan::max_batch_entries();
    if super::batch_scan::over_limit(wire, limit) {
        let message = format!("requests has more than {limit} entries, over the limit of {limit} (--max-batch)");
        return Err(Status::invalid_argument(message));
    }
    Ok(())
}

/// Runs `work`, inside `block_in_place` if it is `large` and this is a worker of a
/// multi-threaded runtime (elsewhere `block_in_place` would panic, or has nothing to free).
pub fn off_the_worker<R>(large: bool, work: impl FnOnce() -> R) -> R {
    // `large` first: a small message, nearly every one, skips the runtime lookup.
    if large && on_a_multi_threaded_runtime() {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

fn on_a_multi_threaded_runtime() -> bool {
    Handle::try_current().is_ok_and(|handle| handle.runtime_flavor() == RuntimeFlavor::MultiThread)
}
