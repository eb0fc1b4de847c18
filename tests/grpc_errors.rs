//! Bad requests get the right status code and a message naming the field and the limit;
//! the server keeps serving after each.

mod common;

use common::{article, classify_request, pb, Server, SPORTS_COOPERATION};
use tokio_stream::StreamExt;
use tonic::Code;

fn assert_status<T: std::fmt::Debug>(result: Result<T, tonic::Status>, code: Code, message: &str) {
    let status = result.expect_err("the call should fail");
    assert_eq!(status.code(), code, "{status:?}");
    assert!(status.message().contains(message), "{:?} does not contain {message:?}", status.message());
}

#[tokio::test]
async fn missing_article_is_invalid_argument_in_every_method() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let expected = (Code::InvalidArgument, "article is required");
    assert_status(client.tokenize(pb::TokenizeRequest { article: None }).await, expected.0, expected.1);
    assert_status(client.vectorize(pb::VectorizeRequest { article: None }).await, expected.0, expected.1);
    assert_status(
        client.classify(pb::ClassifyRequest { article: None, ..Default::default() }).await,
        expected.0,
        expected.1,
    );
}

#[tokio::test]
async fn empty_or_blank_text_is_invalid_argument() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    for text in ["", " \n\t\u{a0} "] {
        let empty = article("e", "A title alone is not enough", text);
        let message = "article.text is empty";
        assert_status(
            client.tokenize(pb::TokenizeRequest { article: empty.clone() }).await,
            Code::InvalidArgument,
            message,
        );
        assert_status(
            client.vectorize(pb::VectorizeRequest { article: empty.clone() }).await,
            Code::InvalidArgument,
            message,
        );
        let request = pb::ClassifyRequest { article: empty, ..Default::default() };
        let status = client.classify(request).await.expect_err("blank text");
        assert_eq!((status.code(), status.message()), (Code::InvalidArgument, message));
    }
    client.classify(classify_request("ok", SPORTS_COOPERATION, 0)).await.expect("still serving");
}

#[tokio::test]
async fn batch_errors_name_the_offending_request() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let mut requests: Vec<pb::ClassifyRequest> =
        (0..5).map(|i| classify_request(&i.to_string(), SPORTS_COOPERATION, 0)).collect();
    requests[3].article.as_mut().expect("article").text = "   ".into();
    let status = client.classify_batch(pb::ClassifyBatchRequest { requests: requests.clone() }).await.expect_err("bad");
    assert_eq!((status.code(), status.message()), (Code::InvalidArgument, "requests[3].article.text is empty"));
    requests[3].article = None;
    let status = client.classify_batch(pb::ClassifyBatchRequest { requests }).await.expect_err("bad");
    assert_eq!(status.message(), "requests[3].article is required");
}

#[tokio::test]
async fn text_over_the_limit_is_invalid_argument_naming_the_limit() {
    let server = Server::start(&["--max-text-bytes", "64"]);
    let mut client = server.client().await;
    let long = "word ".repeat(13); // 65 bytes
    let result = client.classify(classify_request("l", &long, 0)).await;
    assert_status(result, Code::InvalidArgument, "article.text is 65 bytes, over the limit of 64 bytes");
    let long_title = pb::TokenizeRequest { article: article("t", &long, "short text") };
    assert_status(client.tokenize(long_title).await, Code::InvalidArgument, "article.title is 65 bytes");
    client.classify(classify_request("ok", &long[..64], 0)).await.expect("64 bytes is within the limit");
}

#[tokio::test]
async fn batch_over_the_limit_is_invalid_argument() {
    let server = Server::start(&["--max-batch", "4"]);
    let mut client = server.client().await;
    let requests = |n: usize| (0..n).map(|i| classify_request(&i.to_string(), SPORTS_COOPERATION, 0)).collect();
    let result = client.classify_batch(pb::ClassifyBatchRequest { requests: requests(5) }).await;
    assert_status(result, Code::InvalidArgument, "requests has more than 4 entries, over the limit of 4");
    let ok = client.classify_batch(pb::ClassifyBatchRequest { requests: requests(4) }).await.expect("4 is allowed");
    assert_eq!(ok.into_inner().responses.len(), 4);
}

#[tokio::test]
async fn limits_come_from_the_environment_too() {
    let server = Server::start_with(common::fixture_models_dir(), &[], &[("ACCORD_MAX_BATCH", "2")]);
    let requests = (0..3).map(|i| classify_request(&i.to_string(), SPORTS_COOPERATION, 0)).collect();
    let result = server.client().await.classify_batch(pb::ClassifyBatchRequest { requests }).await;
    assert_status(result, Code::InvalidArgument, "over the limit of 2");
}

#[tokio::test]
async fn explain_over_the_maximum_is_invalid_argument() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let result = client.classify(classify_request("x", SPORTS_COOPERATION, 101)).await;
    assert_status(result, Code::InvalidArgument, "explain is 101, over the maximum of 100");
    let batch = pb::ClassifyBatchRequest {
        requests: vec![classify_request("a", SPORTS_COOPERATION, 1), classify_request("b", SPORTS_COOPERATION, 1000)],
    };
    assert_status(client.classify_batch(batch).await, Code::InvalidArgument, "requests[1].explain is 1000");
    client.classify(classify_request("y", SPORTS_COOPERATION, 100)).await.expect("100 is allowed");
}

#[tokio::test]
async fn message_over_the_transport_limit_is_resource_exhausted() {
    let server = Server::start(&["--max-message-bytes", "4096"]);
    let mut client = server.client().await;
    let big = "word ".repeat(2_000); // 10,000 bytes: within the text limit, over the message limit
    assert_status(client.classify(classify_request("big", &big, 0)).await, Code::ResourceExhausted, "4096");
    let requests = vec![classify_request("a", &big[..3_000], 0), classify_request("b", &big[..3_000], 0)];
    assert_status(client.classify_batch(pb::ClassifyBatchRequest { requests }).await, Code::ResourceExhausted, "4096");
    let outbound = tokio_stream::iter([classify_request("s0", SPORTS_COOPERATION, 0), classify_request("s1", &big, 0)]);
    let mut inbound = client.classify_stream(outbound).await.expect("stream opens").into_inner();
    assert_eq!(inbound.next().await.expect("first").expect("first is fine").id, "s0");
    let status = inbound.next().await.expect("an error").expect_err("second is too large");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    client.classify(classify_request("small", SPORTS_COOPERATION, 0)).await.expect("still serving");
}

#[tokio::test]
async fn stream_answers_until_the_first_bad_request_then_names_it() {
    let server = Server::start(&[]);
    let mut requests: Vec<pb::ClassifyRequest> =
        (0..5).map(|i| classify_request(&format!("s{i}"), SPORTS_COOPERATION, 0)).collect();
    requests[2].article = None;
    let mut inbound =
        server.client().await.classify_stream(tokio_stream::iter(requests)).await.expect("opens").into_inner();
    let mut ids = Vec::new();
    let status = loop {
        match inbound.next().await.expect("the stream ends with an error") {
            Ok(response) => ids.push(response.id),
            Err(status) => break status,
        }
    };
    assert_eq!(ids, ["s0", "s1"]);
    assert_eq!((status.code(), status.message()), (Code::InvalidArgument, "requests[2].article is required"));
    assert!(inbound.next().await.is_none(), "nothing after the error");
}

#[tokio::test]
async fn admin_service_is_not_served() {
    let server = Server::start(&[]);
    let mut admin = pb::admin_client::AdminClient::new(server.channel().await);
    let status =
        admin.reload_model(pb::ReloadModelRequest { version: "default".into() }).await.expect_err("not served");
    assert_eq!(status.code(), Code::Unimplemented);
}

#[tokio::test]
async fn a_client_deadline_ends_a_long_call_early() {
    let server = Server::start(&["--workers", "1"]);
    let mut client = server.client().await;
    let text = format!("{SPORTS_COOPERATION} ").repeat(400);
    let batch =
        pb::ClassifyBatchRequest { requests: (0..1024).map(|i| classify_request(&i.to_string(), &text, 0)).collect() };
    let started = std::time::Instant::now();
    client.classify_batch(batch.clone()).await.expect("without a deadline the batch completes");
    let whole = started.elapsed();

    // The shortest of three tries, so that one slow transfer of the 32 MB request on a
    // busy machine does not decide.
    let mut cut_short = std::time::Duration::MAX;
    for _ in 0..3 {
        let mut request = tonic::Request::new(batch.clone());
        request.set_timeout(whole / 10);
        let started = std::time::Instant::now();
        let status = client.classify_batch(request).await.expect_err("the deadline passes first");
        cut_short = cut_short.min(started.elapsed());
        // Tonic's server reports an expired `grpc-timeout` as CANCELLED ("Timeout expired");
        // gRPC clients that track deadlines themselves report DEADLINE_EXCEEDED.
        assert!(matches!(status.code(), Code::Cancelled | Code::DeadlineExceeded), "{status:?}");
    }
    assert!(cut_short < whole / 2, "with a deadline of {:?}: {cut_short:?}; without: {whole:?}", whole / 10);
    client.classify(classify_request("after", SPORTS_COOPERATION, 0)).await.expect("still serving");
}
