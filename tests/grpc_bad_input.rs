//! Input meant to break the server: each case gets its exact status and a message saying
//! what was wrong (or a correct answer, when the input is odd but valid), and right after
//! it the server reports SERVING and answers a normal Classify.

mod common;

use std::time::{Duration, Instant};

use common::raw_grpc::{self, frame};
use common::{article, classify_request, pb, repo_root, Server, SPORTS_COOPERATION};
use prost::Message;
use tokio_stream::StreamExt;
use tonic::Code;

const CLASSIFY: &str = "/accord.v1.Classifier/Classify";

fn assert_status<T: std::fmt::Debug>(result: Result<T, tonic::Status>, code: Code, fragment: &str) {
    let status = result.expect_err("the call should fail");
    assert_eq!(status.code(), code, "{status:?}");
    assert!(status.message().contains(fragment), "{:?} does not contain {fragment:?}", status.message());
}

fn classify_article(title: &str, text: &str) -> pb::ClassifyRequest {
    pb::ClassifyRequest { article: article("a", title, text), ..Default::default() }
}

/// Whitespace of other scripts (em space, ideographic space, line separator), and a title
/// with no text, are refused like an empty text.
#[tokio::test]
async fn unicode_whitespace_and_a_title_without_text_are_invalid_argument() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    for (title, text) in [("", "\u{2003}\u{3000}\u{2028}\u{85}"), ("A title with no text", ""), ("Title", "\t\u{a0}")] {
        let result = client.classify(classify_article(title, text)).await;
        assert_status(result, Code::InvalidArgument, "article.text is empty");
        server.assert_still_serving().await;
    }
}

/// With the default limit (1 MiB): 1 byte over is refused in the text and in the title,
/// exactly the limit is served.
#[tokio::test]
async fn one_byte_over_the_default_text_limit_is_invalid_argument() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let limit = 1 << 20;
    let over = "a".repeat(limit + 1);
    let result = client.classify(classify_article("", &over)).await;
    assert_status(result, Code::InvalidArgument, "article.text is 1048577 bytes, over the limit of 1048576 bytes");
    server.assert_still_serving().await;
    let result = client.classify(classify_article(&over, SPORTS_COOPERATION)).await;
    assert_status(result, Code::InvalidArgument, "article.title is 1048577 bytes");
    server.assert_still_serving().await;
    let at_limit = format!("{SPORTS_COOPERATION} {}", "b".repeat(limit - SPORTS_COOPERATION.len() - 1));
    client.classify(classify_article("", &at_limit)).await.expect("exactly the limit is served");
}

/// A single 100 KB token is dropped by the tokenizer (longer than any word), while the words
/// around it keep their offsets.
#[tokio::test]
async fn one_100_kb_token_is_dropped_and_its_neighbours_kept() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let text = format!("Minister {} treaty", "x".repeat(100_000));
    let tokens = client.tokenize(pb::TokenizeRequest { article: article("t", "", &text) }).await;
    let tokens: Vec<(String, u32, u32)> =
        tokens.expect("tokenized").into_inner().tokens.into_iter().map(|t| (t.text, t.start, t.end)).collect();
    assert_eq!(tokens, [("minister".to_owned(), 0, 8), ("treaty".to_owned(), 100_010, 100_016)]);
    let answer = client.classify(classify_article("", &text)).await.expect("classified").into_inner();
    assert_eq!(answer.predictions.len(), 2);
    server.assert_still_serving().await;
}

/// NULs and other control characters are separators, never part of a token, and a NUL in
/// the id comes back as sent.
#[tokio::test]
async fn control_characters_and_nuls_are_separators() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let text = "coach\0striker\u{1}league\u{7f}season\u{1b}[31m goal\r\n\u{c}match\u{0}";
    let request = pb::TokenizeRequest { article: article("id\0x", "", text) };
    let tokens = client.tokenize(request).await.expect("tokenized").into_inner().tokens;
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(words, ["coach", "striker", "league", "season", "31m", "goal", "match"]);
    for token in &tokens {
        assert_eq!(&text[token.start as usize..token.end as usize], token.text, "{token:?}");
    }
    let request = pb::ClassifyRequest { article: article("id\0x", "", text), ..Default::default() };
    let answer = client.classify(request).await.expect("classified").into_inner();
    assert_eq!(answer.id, "id\0x");
    server.assert_still_serving().await;
}

/// Chinese, Arabic, Cyrillic, emoji and right-to-left marks: every token is a slice of the
/// text on character boundaries; each ideograph is a token; marks and emoji are separators.
#[tokio::test]
async fn mixed_scripts_tokenize_on_character_boundaries() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let text = "\u{200f}中国 signed the treaty \u{202e}مرحبا\u{202c} Привет мир 👍🏽 league\u{200e}";
    let tokens = client.tokenize(pb::TokenizeRequest { article: article("m", "", text) }).await;
    let tokens = tokens.expect("tokenized").into_inner().tokens;
    for token in &tokens {
        let source = text.get(token.start as usize..token.end as usize);
        assert!(source.is_some(), "{token:?} does not fall on character boundaries");
    }
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(words, ["中", "国", "signed", "the", "treaty", "مرحبا", "привет", "мир", "league"]);
    let answer = client.classify(classify_article("Россия и Китай", text)).await.expect("classified");
    let topic = &answer.into_inner().predictions["topic"];
    let total: f32 = topic.probabilities.iter().map(|p| p.probability).sum();
    assert!((total - 1.0).abs() < 1e-4, "{topic:?}");
    server.assert_still_serving().await;
}

/// An empty batch is answered with no responses; the default maximum + 1 is refused.
#[tokio::test]
async fn a_batch_of_zero_is_empty_and_of_the_maximum_plus_one_is_refused() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let empty = client.classify_batch(pb::ClassifyBatchRequest { requests: Vec::new() }).await;
    assert!(empty.expect("an empty batch is fine").into_inner().responses.is_empty());
    server.assert_still_serving().await;
    let requests = (0..1025).map(|i| classify_request(&i.to_string(), SPORTS_COOPERATION, 0)).collect();
    let result = client.classify_batch(pb::ClassifyBatchRequest { requests }).await;
    assert_status(
        result,
        Code::InvalidArgument,
        "requests has more than 1024 entries, over the limit of 1024 (--max-batch)",
    );
    server.assert_still_serving().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_small_articles_through_one_stream_are_all_answered_in_order() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let requests = (0..10_000).map(|i| classify_request(&format!("s{i}"), SPORTS_COOPERATION, 0));
    let mut inbound = client.classify_stream(tokio_stream::iter(requests)).await.expect("opens").into_inner();
    let mut answered = 0;
    while let Some(answer) = inbound.next().await {
        let answer = answer.expect("every article is answered");
        assert_eq!(answer.id, format!("s{answered}"));
        answered += 1;
    }
    assert_eq!(answered, 10_000);
    server.assert_still_serving().await;
}

/// A client that goes away in the middle of a stream: the call is closed (logged as failed,
/// not left open) and the single worker is free for the next caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_mid_stream_leaves_nothing_behind() {
    let server = Server::start(&["--workers", "1", "--log-format", "json"]);
    let requests: Vec<u8> = (0..3)
        .flat_map(|i| frame(&classify_request(&format!("d{i}"), SPORTS_COOPERATION, 0).encode_to_vec()))
        .collect();
    raw_grpc::vanish_mid_call(&server.addr, "/accord.v1.Classifier/ClassifyStream", requests.into()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let closed = loop {
        let log = server.log();
        let closed = log.lines().find(|line| line.contains("\"ClassifyStream\"") && line.contains("call failed"));
        if let Some(line) = closed {
            break line.to_owned();
        }
        assert!(Instant::now() < deadline, "the abandoned stream was never closed:\n{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(closed.contains("\"CANCELLED\""), "{closed}");
    server.assert_still_serving().await;
}

/// Bytes that are not a protobuf message, through real HTTP/2: INTERNAL "failed to decode
/// Protobuf message", as every gRPC implementation answers a request it cannot parse.
#[tokio::test]
async fn bytes_that_are_not_protobuf_get_an_error_status() {
    let server = Server::start(&[]);
    for garbage in [&[0xff_u8; 16][..], b"\x0a\xff\xff\xff\xff\x0f", b"\x0a\x10short", b"not a protobuf message"] {
        let answer = raw_grpc::call(&server.addr, CLASSIFY, frame(garbage), &[]).await;
        assert_eq!(answer.code, Some(Code::Internal), "{garbage:?}: {answer:?}");
        assert!(answer.message.contains("failed to decode Protobuf message"), "{answer:?}");
        server.assert_still_serving().await;
    }
}

/// `GetModelInfoRequest` has no fields: a zero-length message is a whole request (proto3), and
/// so is one carrying a field this server does not know; both are answered with the model's
/// info. A body with no message at all breaks the one-message rule of a unary call, and bytes
/// that are not a protobuf message cannot be parsed: INTERNAL naming which, as for every
/// method.
#[tokio::test]
async fn get_model_info_answers_an_empty_message_and_names_what_is_wrong_with_a_broken_one() {
    let server = Server::start(&[]);
    let path = "/accord.v1.Classifier/GetModelInfo";
    for (body, case) in [(frame(b""), "an empty message"), (frame(b"\x0a\x03abc"), "an unknown field")] {
        let answer = raw_grpc::call(&server.addr, path, body, &[]).await;
        assert_eq!(answer.code, Some(Code::Ok), "{case}: {}", answer.message);
        let info = pb::ModelInfo::decode(&answer.body[5..]).expect("one ModelInfo message");
        assert!(!info.version.is_empty(), "{case}: {info:?}");
    }
    let answer = raw_grpc::call(&server.addr, path, bytes::Bytes::new(), &[]).await;
    assert_eq!(answer.code, Some(Code::Internal), "{answer:?}");
    assert!(answer.message.contains("Missing request message"), "{answer:?}");
    let answer = raw_grpc::call(&server.addr, path, frame(b"\xff\xff"), &[]).await;
    assert_eq!(answer.code, Some(Code::Internal), "{answer:?}");
    assert!(answer.message.contains("failed to decode Protobuf message"), "{answer:?}");
    server.assert_still_serving().await;
}

/// A string field (article.text) holding invalid UTF-8, unary and mid-stream.
#[tokio::test]
async fn invalid_utf8_in_a_string_field_gets_an_error_status() {
    let server = Server::start(&[]);
    // ClassifyRequest { article (1): Article { text (3): b"ok \xff\xfe" } }
    let invalid = b"\x0a\x07\x1a\x05ok \xff\xfe";
    let answer = raw_grpc::call(&server.addr, CLASSIFY, frame(invalid), &[]).await;
    assert_eq!(answer.code, Some(Code::Internal), "{answer:?}");
    assert!(answer.message.contains("failed to decode Protobuf message"), "{answer:?}");
    assert!(answer.message.contains("UTF-8"), "{answer:?}");
    server.assert_still_serving().await;

    let valid = classify_request("v", SPORTS_COOPERATION, 0).encode_to_vec();
    let body = [frame(&valid), frame(invalid)].concat();
    let answer = raw_grpc::call(&server.addr, "/accord.v1.Classifier/ClassifyStream", body.into(), &[]).await;
    assert_eq!(answer.code, Some(Code::Internal), "{answer:?}");
    assert!(answer.message.contains("UTF-8"), "{answer:?}");
    let first = pb::ClassifyResponse::decode(&answer.body[5..]).expect("the valid request was answered first");
    assert_eq!(first.id, "v");
    server.assert_still_serving().await;
}

/// A gRPC frame that promises more bytes than it carries, and a frame marked compressed
/// with no compression negotiated: an error status each, the server unharmed.
#[tokio::test]
async fn malformed_grpc_frames_get_an_error_status() {
    let server = Server::start(&[]);
    let truncated = [&[0u8, 0, 0, 1, 0][..], b"only a few bytes"].concat();
    let answer = raw_grpc::call(&server.addr, CLASSIFY, truncated.into(), &[]).await;
    assert_eq!(answer.code, Some(Code::Internal), "{answer:?}");
    assert!(!answer.message.is_empty(), "{answer:?}");
    server.assert_still_serving().await;
    let mut compressed = frame(&classify_request("c", SPORTS_COOPERATION, 0).encode_to_vec()).to_vec();
    compressed[0] = 1;
    let answer = raw_grpc::call(&server.addr, CLASSIFY, compressed.into(), &[]).await;
    assert_eq!(answer.code, Some(Code::Internal), "{answer:?}");
    assert!(answer.message.contains("compress"), "{answer:?}");
    server.assert_still_serving().await;
}

/// An article naming 10,000 countries (in 2,500 sentences) gets at most 32 actors and 16
/// relations (docs/guarantees.md), the most-mentioned first; one naming none gets none.
#[tokio::test]
async fn ten_thousand_country_names_get_a_bounded_list_of_actors_and_relations() {
    // The shipped model: the fixture model's corpus has no actor gazetteer.
    let server = Server::start_with(&repo_root().join("models"), &[], &[]);
    let mut client = server.client().await;
    let names = ["China", "France", "Brazil", "India", "Kenya", "Peru", "Japan", "Chile", "Egypt", "Iran", "Ghana"];
    let mut named = Vec::new();
    for i in 0..10_000 {
        named.push(if i % 2 == 0 { "Germany" } else { names[i % names.len()] });
    }
    let text: String = named.chunks(4).map(|n| format!("{} and {} met {} and {}. ", n[0], n[1], n[2], n[3])).collect();
    let request = pb::ClassifyRequest { relations: true, ..classify_article("", &text) };
    let started = Instant::now();
    let answer = client.classify(request).await.expect("served").into_inner();
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(answer.actors.first().map(|a| a.code.as_str()), Some("DEU"), "the most mentioned first");
    assert_eq!(answer.actors[0].mention_count, 5000);
    assert!(answer.actors[0].mentions.len() <= 32);
    assert_eq!(answer.actors.len(), 12, "Germany and the eleven others");
    assert!(!answer.relations.is_empty() && answer.relations.len() <= 16, "{}", answer.relations.len());
    assert!(answer.relations.iter().all(|r| r.a < r.b && r.evidence.len() <= 8));
    let request = pb::ClassifyRequest { relations: true, ..classify_article("", SPORTS_COOPERATION) };
    let answer = client.classify(request).await.expect("served").into_inner();
    assert!(answer.relations.is_empty(), "{:?}", answer.relations);
    server.assert_still_serving().await;
}
