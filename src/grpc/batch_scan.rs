//! The article count of a `ClassifyBatchRequest`, read from its wire bytes before it is
//! decoded: a batch entry costs as little as two bytes on the wire (an empty
//! `ClassifyRequest`) and about a hundred once decoded, so a batch over `--max-batch` is
//! refused from the count alone, before decoding spends memory on it.
//!
//! The limit is process-wide because tonic's generated code builds the codec with
//! `Default`: the server sets it once at startup ([`set_max_batch_entries`]); until then,
//! and in the command line's clients, there is none.

use std::sync::atomic::{AtomicUsize, Ordering};

use prost::encoding::{decode_varint, WireType};

/// `ClassifyBatchRequest.requests` is field 1.
const REQUESTS_FIELD: u64 = 1;

static MAX_BATCH_ENTRIES: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Sets the most `requests` a `ClassifyBatchRequest` may hold to be decoded.
pub fn set_max_batch_entries(limit: usize) {
    MAX_BATCH_ENTRIES.store(limit, Ordering::Relaxed);
}

/// The most `requests` a `ClassifyBatchRequest` may hold to be decoded.
pub(crate) fn max_batch_entries() -> usize {
    MAX_BATCH_ENTRIES.load(Ordering::Relaxed)
}

/// Whether the encoded batch holds more than `limit` entries. Reads keys and lengths only,
/// skipping every value; bytes that are not valid protobuf end the scan with `false`, so
/// that decoding reports them as it would anyway.
pub(crate) fn over_limit(mut wire: &[u8], limit: usize) -> bool {
    let mut entries = 0usize;
    while !wire.is_empty() {
        let Ok(key) = decode_varint(&mut wire) else { return false };
        let Ok(wire_type) = WireType::try_from(key & 0x7) else { return false };
        if key >> 3 == REQUESTS_FIELD && wire_type == WireType::LengthDelimited {
            entries += 1;
            if entries > limit {
                return true;
            }
        }
        if skip_value(&mut wire, wire_type).is_none() {
            return false;
        }
    }
    false
}

/// Moves past one value of `wire_type`; `None` if the bytes end first or it is a group.
fn skip_value(wire: &mut &[u8], wire_type: WireType) -> Option<()> {
    let len = match wire_type {
        WireType::Varint => return decode_varint(wire).ok().map(drop),
        WireType::SixtyFourBit => 8,
        WireType::ThirtyTwoBit => 4,
        WireType::LengthDelimited => usize::try_from(decode_varint(wire).ok()?).ok()?,
        WireType::StartGroup | WireType::EndGroup => return None,
    };
    *wire = wire.get(len..)?;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grpc::v1 as pb;
    use prost::Message;

    fn batch(entries: usize) -> Vec<u8> {
        let request = pb::ClassifyRequest {
            article: Some(pb::Article { id: "a".into(), title: "t".into(), text: "some text".into() }),
            explain: 3,
            sentences: true,
            relations: false,
        };
        pb::ClassifyBatchRequest { requests: vec![request; entries] }.encode_to_vec()
    }

    #[test]
    fn counts_entries_against_the_limit() {
        assert!(!over_limit(&batch(4), 4));
        assert!(over_limit(&batch(5), 4));
        assert!(!over_limit(&[], 0));
        // Empty entries: two bytes each on the wire.
        assert!(over_limit(&[0x0a, 0x00].repeat(3), 2));
    }

    #[test]
    fn other_fields_are_skipped_and_bad_bytes_are_left_to_the_decoder() {
        // field 2 (varint), field 3 (fixed64), field 4 (fixed32), then two entries
        let mut wire = vec![0x10, 0x96, 0x01, 0x19, 0, 0, 0, 0, 0, 0, 0, 0, 0x25, 0, 0, 0, 0];
        wire.extend_from_slice(&[0x0a, 0x00, 0x0a, 0x00]);
        assert!(over_limit(&wire, 1));
        assert!(!over_limit(&wire, 2));
        // a length running past the end, a group, a truncated varint: no panic, no verdict
        for bad in [&[0x0a, 0x05, 0x00][..], &[0x0b], &[0x0a, 0x80]] {
            assert!(!over_limit(bad, 5), "{bad:?}");
        }
    }
}
