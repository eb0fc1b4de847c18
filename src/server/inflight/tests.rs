//! Tests of the byte admission: each message charged as its header arrives, a stream's
//! earlier messages given back, compressed ones charged for inflating, unary calls held to one.

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
