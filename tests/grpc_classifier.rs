//! Every Classifier RPC, health checking and reflection, against the real server binary
//! serving the fixture model (the shipped one where a test needs what only it records).

mod common;

use common::{article, classify_request, pb, Server, SPORTS_COOPERATION, WORLD_TENSION};
use tokio_stream::StreamExt;

#[tokio::test]
async fn tokenize_returns_title_tokens_then_text_tokens_with_field_offsets() {
    let server = Server::start(&[]);
    let (title, text) = ("Trade Deal", "China and Israel signed a long-term deal.");
    let request = pb::TokenizeRequest { article: article("a1", title, text) };
    let response = server.client().await.tokenize(request).await.expect("tokenize").into_inner();
    assert_eq!(response.model_version, common::fixture_version());
    let words: Vec<(&str, i32)> = response.tokens.iter().map(|t| (t.text.as_str(), t.field)).collect();
    let (title_field, text_field) = (pb::Field::Title as i32, pb::Field::Text as i32);
    assert_eq!(
        words,
        [
            ("trade", title_field),
            ("deal", title_field),
            ("china", text_field),
            ("and", text_field),
            ("israel", text_field),
            ("signed", text_field),
            ("long-term", text_field),
            ("deal", text_field),
        ]
    );
    for token in &response.tokens {
        let source = if token.field == title_field { title } else { text };
        assert_eq!(source[token.start as usize..token.end as usize].to_lowercase(), token.text);
    }
}

#[tokio::test]
async fn vectorize_returns_normalized_features_by_ascending_index() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    let request =
        pb::VectorizeRequest { article: article("v1", "Market shares", "Investors watched the bank profit.") };
    let response = client.vectorize(request).await.expect("vectorize").into_inner();
    let info = client.get_model_info(pb::GetModelInfoRequest {}).await.expect("info").into_inner();
    assert_eq!(response.model_version, info.version);
    assert_eq!(response.dimensions, info.dimensions);
    assert!(!response.features.is_empty());
    assert!(response.features.windows(2).all(|w| w[0].index < w[1].index), "indices not ascending");
    assert!(response.features.iter().all(|f| f.index < response.dimensions && !f.term.is_empty()));
    assert!(response.features.iter().any(|f| f.term == "market"));
    let norm: f32 = response.features.iter().map(|f| f.weight * f.weight).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
}

#[tokio::test]
async fn classify_answers_every_head_with_ranked_probabilities_and_evidence() {
    let server = Server::start(&[]);
    let response = server
        .client()
        .await
        .classify(classify_request("c1", SPORTS_COOPERATION, 3))
        .await
        .expect("classify")
        .into_inner();
    assert_eq!(response.id, "c1");
    assert_eq!(response.model_version, common::fixture_version());
    assert_eq!(response.predictions.keys().collect::<Vec<_>>(), ["stance", "topic"]);
    assert_eq!(response.predictions["topic"].label, "sports");
    assert_eq!(response.predictions["stance"].label, "cooperation");
    for prediction in response.predictions.values() {
        let ranked = &prediction.probabilities;
        assert_eq!(ranked[0].label, prediction.label);
        assert_eq!(ranked[0].probability, prediction.probability);
        assert!(ranked.windows(2).all(|w| w[0].probability >= w[1].probability), "not most likely first");
        assert!((ranked.iter().map(|p| p.probability).sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(!prediction.evidence.is_empty() && prediction.evidence.len() <= 3);
        assert!(prediction.evidence.windows(2).all(|w| w[0].weight >= w[1].weight), "evidence not strongest first");
    }
    assert_eq!(response.predictions["topic"].probabilities.len(), 3);
}

#[tokio::test]
async fn classify_without_explain_returns_no_evidence() {
    let server = Server::start(&[]);
    let response =
        server.client().await.classify(classify_request("c2", WORLD_TENSION, 0)).await.expect("classify").into_inner();
    assert_eq!(response.predictions["topic"].label, "world");
    assert_eq!(response.predictions["stance"].label, "tension");
    assert!(response.predictions.values().all(|p| p.evidence.is_empty()));
}

#[tokio::test]
async fn batch_answers_in_request_order_like_single_calls() {
    let server = Server::start(&[]);
    let mut client = server.client().await;
    // More than one CPU job's worth, so that the chunks must be put back in order.
    let requests: Vec<pb::ClassifyRequest> = (0..70)
        .map(|i| classify_request(&format!("b{i}"), if i % 3 == 0 { WORLD_TENSION } else { SPORTS_COOPERATION }, 2))
        .collect();
    let batch = pb::ClassifyBatchRequest { requests: requests.clone() };
    let responses = client.classify_batch(batch).await.expect("batch").into_inner().responses;
    assert_eq!(responses.len(), requests.len());
    for (request, response) in requests.into_iter().zip(&responses).step_by(7) {
        let single = client.classify(request).await.expect("classify").into_inner();
        assert_eq!(&single, response);
    }
    let ids: Vec<String> = responses.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, (0..70).map(|i| format!("b{i}")).collect::<Vec<_>>());
    assert_eq!(responses[3].predictions["topic"].label, "world");
    assert_eq!(responses[4].predictions["topic"].label, "sports");
}

#[tokio::test]
async fn empty_batch_returns_no_responses() {
    let server = Server::start(&[]);
    let batch = pb::ClassifyBatchRequest { requests: vec![] };
    let responses = server.client().await.classify_batch(batch).await.expect("batch").into_inner().responses;
    assert!(responses.is_empty());
}

#[tokio::test]
async fn stream_answers_a_long_feed_in_order() {
    let server = Server::start(&[]);
    let requests: Vec<pb::ClassifyRequest> =
        (0..200).map(|i| classify_request(&format!("s{i}"), SPORTS_COOPERATION, 1)).collect();
    let outbound = tokio_stream::iter(requests);
    let mut inbound = server.client().await.classify_stream(outbound).await.expect("stream").into_inner();
    let mut ids = Vec::new();
    while let Some(response) = inbound.next().await {
        let response = response.expect("response");
        assert_eq!(response.model_version, common::fixture_version());
        assert_eq!(response.predictions["topic"].label, "sports");
        ids.push(response.id);
    }
    assert_eq!(ids, (0..200).map(|i| format!("s{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn stream_answers_each_request_before_the_next_is_sent() {
    let server = Server::start(&[]);
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let outbound = tokio_stream::wrappers::ReceiverStream::new(receiver);
    let mut inbound = server.client().await.classify_stream(outbound).await.expect("stream").into_inner();
    for i in 0..5 {
        sender.send(classify_request(&format!("p{i}"), WORLD_TENSION, 0)).await.expect("send");
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), inbound.next()).await;
        let response = next.expect("answered without waiting for more input").expect("open").expect("ok");
        assert_eq!(response.id, format!("p{i}"));
    }
    drop(sender);
    assert!(inbound.next().await.is_none(), "the call ends when the client closes its side");
}

#[tokio::test]
async fn model_info_reports_heads_labels_and_held_out_figures() {
    let server = Server::start(&[]);
    let info = server.client().await.get_model_info(pb::GetModelInfoRequest {}).await.expect("info").into_inner();
    assert_eq!(info.version, common::fixture_version());
    assert!(info.version.starts_with("v20260101-"));
    assert_eq!(info.created, "2026-01-01");
    assert_eq!(info.corpus_digest.len(), 64);
    assert_eq!(info.corpus_documents as usize, common::fixture_corpus().len());
    assert!(info.dimensions > 10);
    let heads: Vec<(&str, Vec<&str>)> =
        info.heads.iter().map(|h| (h.name.as_str(), h.labels.iter().map(String::as_str).collect())).collect();
    assert_eq!(heads, [("stance", vec!["cooperation", "tension"]), ("topic", vec!["business", "sports", "world"])]);
    for head in &info.heads {
        let metrics = head.metrics.as_ref().expect("metrics");
        assert!((0.0..=1.0).contains(&metrics.accuracy) && (0.0..=1.0).contains(&metrics.macro_f1));
        assert!(metrics.train_documents > 0 && metrics.test_documents > 0);
        let rows: Vec<&str> = metrics.confusion.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(rows, head.labels.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(metrics.confusion.iter().all(|r| r.predicted.len() == head.labels.len()));
        let counted: u32 = metrics.confusion.iter().flat_map(|r| &r.predicted).sum();
        assert_eq!(counted, metrics.test_documents);
    }
}

#[tokio::test]
async fn model_info_carries_the_relation_figures_the_model_file_records() {
    let models = common::repo_root().join("models");
    let model = accord::ModelStore::new(&models).load(None).expect("the shipped model loads");
    let recorded = model.meta().relation_validation.as_ref().expect("the shipped model records relation figures");
    let server = Server::start_with(&models, &[], &[]);
    let info = server.client().await.get_model_info(pb::GetModelInfoRequest {}).await.expect("info").into_inner();
    assert_eq!(info.version, model.version());
    let served = info.relation_validation.expect("GetModelInfo carries the relation figures");
    assert_eq!((served.stories as usize, served.digest.as_str()), (recorded.stories, recorded.digest.as_str()));
    let methods = [(served.relations, &recorded.relations), (served.baseline, &recorded.baseline)];
    for (served, recorded) in methods {
        let served = served.expect("pair figures");
        let counts = [
            served.true_pairs,
            served.predicted,
            served.labeled,
            served.stance_right,
            served.with_main,
            served.main_found,
            served.without_relation,
            served.answered_none,
        ];
        let recorded_counts = [
            recorded.true_pairs,
            recorded.predicted,
            recorded.labeled,
            recorded.stance_right,
            recorded.with_main,
            recorded.main_found,
            recorded.without_relation,
            recorded.answered_none,
        ];
        assert_eq!(counts.map(|c| c as usize), recorded_counts);
        let shares = [served.precision, served.recall, served.f1, served.main_recall, served.stance_accuracy];
        let recorded_shares = [
            recorded.precision(),
            recorded.recall(),
            recorded.f1(),
            recorded.main_recall(),
            recorded.stance_accuracy(),
        ];
        assert_eq!(shares, recorded_shares);
        assert_eq!(served.none_share, recorded.none_share());
    }
    let stance: Vec<(&str, &str, f64, f64)> = served
        .article_stance
        .iter()
        .map(|f| (f.relations.as_str(), f.rule.as_str(), f.macro_f1, f.cooperation_vs_tension))
        .collect();
    let recorded_stance: Vec<(&str, &str, f64, f64)> = recorded
        .article_stance
        .iter()
        .map(|f| (f.relations.as_str(), f.rule.as_str(), f.macro_f1, f.cooperation_vs_tension))
        .collect();
    assert!(!recorded_stance.is_empty());
    assert_eq!(stance, recorded_stance);
}

#[tokio::test]
async fn health_is_serving_for_the_server_and_the_classifier() {
    use tonic_health::pb::{health_check_response::ServingStatus, HealthCheckRequest};
    let server = Server::start(&[]);
    let mut health = server.health().await;
    for service in ["", "accord.v1.Classifier"] {
        let request = HealthCheckRequest { service: service.into() };
        let status = health.check(request).await.expect("check").into_inner().status;
        assert_eq!(status, ServingStatus::Serving as i32, "service {service:?}");
    }
    let unknown = health.check(HealthCheckRequest { service: "accord.v1.Admin".into() }).await;
    assert_eq!(unknown.expect_err("Admin is not served").code(), tonic::Code::NotFound);
}

#[tokio::test]
async fn reflection_v1_lists_the_served_services_only() {
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    let server = Server::start(&[]);
    let mut client = ServerReflectionClient::new(server.channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses =
        client.server_reflection_info(tokio_stream::iter([request])).await.expect("reflection").into_inner();
    let response = responses.next().await.expect("one response").expect("ok");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer: {response:?}");
    };
    let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "accord.v1.Classifier",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection"
        ]
    );
}

#[tokio::test]
async fn responses_serialize_as_camel_case_json() {
    let server = Server::start(&[]);
    let response = server
        .client()
        .await
        .classify(classify_request("j1", SPORTS_COOPERATION, 1))
        .await
        .expect("classify")
        .into_inner();
    let json = serde_json::to_value(&response).expect("serializes");
    assert_eq!(json["id"], "j1");
    assert_eq!(json["modelVersion"], common::fixture_version());
    assert_eq!(json["predictions"]["topic"]["label"], "sports");
}
