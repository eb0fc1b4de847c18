//! Zero-downtime reload: while clients classify continuously, a good model is swapped in and
//! a corrupt one is refused, with no failed call and exactly one version switch.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::pb::admin_client::AdminClient;
use common::pb::{GetModelInfoRequest, ReloadModelRequest};
use common::{classify_request, Server, SPORTS_COOPERATION};
use tonic::{Code, Request};

const TOKEN: &str = "test-admin-token";

fn reload_request(version: &str, token: Option<&str>) -> Request<ReloadModelRequest> {
    let mut request = Request::new(ReloadModelRequest { version: version.into() });
    if let Some(token) = token {
        request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("ascii"));
    }
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_under_load_loses_no_call_and_switches_once() {
    let (dir, first, second) = common::reload_models_dir();
    let server = Server::start_with(dir.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..4 {
        let mut client = server.client().await;
        let stop = stop.clone();
        clients.push(tokio::spawn(async move {
            let (mut versions, mut failures) = (Vec::new(), Vec::new());
            while !stop.load(Ordering::Relaxed) {
                match client.classify(classify_request("x", SPORTS_COOPERATION, 0)).await {
                    Ok(response) => versions.push(response.into_inner().model_version),
                    Err(status) => failures.push(status),
                }
            }
            (versions, failures)
        }));
    }
    let mut admin = AdminClient::new(server.channel().await);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let reloaded = admin.reload_model(reload_request("second", Some(TOKEN))).await.expect("good model reloads");
    assert_eq!(reloaded.get_ref().version, second);
    assert_eq!(reloaded.get_ref().previous_version, first);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = admin.reload_model(reload_request("corrupt", Some(TOKEN))).await.expect_err("corrupt refused");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused.message().contains("checksum"), "{}", refused.message());
    let truncated = admin.reload_model(reload_request("truncated", Some(TOKEN))).await.expect_err("truncated refused");
    assert_eq!(truncated.code(), Code::FailedPrecondition);
    assert!(truncated.message().contains("truncated"), "{}", truncated.message());
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);

    let mut total = 0;
    for client in clients {
        let (versions, failures) = client.await.expect("client task");
        assert!(failures.is_empty(), "failed calls during reload: {failures:?}");
        total += versions.len();
        let switches = versions.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(switches, 1, "versions must switch exactly once");
        assert_eq!((versions.first(), versions.last()), (Some(&first), Some(&second)));
    }
    assert!(total >= 1000, "only {total} calls were made during the test");
    let info = server.client().await.get_model_info(GetModelInfoRequest {}).await.expect("info");
    assert_eq!(info.into_inner().version, second);
}

#[tokio::test]
async fn admin_refuses_bad_tokens_and_bad_names() {
    let (dir, first, _) = common::reload_models_dir();
    let server = Server::start_with(dir.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let mut admin = AdminClient::new(server.channel().await);
    for token in [None, Some("wrong")] {
        let status = admin.reload_model(reload_request("second", token)).await.expect_err("refused");
        assert_eq!(status.code(), Code::Unauthenticated, "{token:?}");
    }
    for name in ["../default", "a/b", "a\\b", "..", "x\0y"] {
        let status = admin.reload_model(reload_request(name, Some(TOKEN))).await.expect_err("bad name");
        assert_eq!(status.code(), Code::InvalidArgument, "{name:?}");
    }
    let missing = admin.reload_model(reload_request("missing", Some(TOKEN))).await.expect_err("missing");
    assert_eq!(missing.code(), Code::NotFound);
    let info = server.client().await.get_model_info(GetModelInfoRequest {}).await.expect("info");
    assert_eq!(info.into_inner().version, first, "refused reloads must not change the model");
    let log = server.log();
    assert!(!log.contains(TOKEN), "the admin token was logged");
    let refusals = log.lines().filter(|l| l.contains("call failed") && l.contains("method=\"ReloadModel\""));
    let codes: Vec<&str> = refusals.filter_map(|l| l.rsplit("code=").next()?.split_whitespace().next()).collect();
    let expected = [["UNAUTHENTICATED"; 2].as_slice(), &["INVALID_ARGUMENT"; 5], &["NOT_FOUND"]].concat();
    assert_eq!(codes, expected, "one log line per ReloadModel call:\n{log}");
}

#[tokio::test]
async fn without_a_token_the_admin_service_is_not_served() {
    let (dir, _, _) = common::reload_models_dir();
    let server = Server::start_with(dir.path(), &[], &[]);
    let mut admin = AdminClient::new(server.channel().await);
    let status = admin.reload_model(reload_request("second", Some(TOKEN))).await.expect_err("not served");
    assert_eq!(status.code(), Code::Unimplemented);
}

#[tokio::test]
async fn sighup_reloads_the_current_pointer() {
    let (dir, _, second) = common::reload_models_dir();
    let server = Server::start_with(dir.path(), &[], &[]);
    accord::ModelStore::new(dir.path()).promote("second").expect("promote");
    server.signal("HUP");
    let mut client = server.client().await;
    for _ in 0..200 {
        let info = client.get_model_info(GetModelInfoRequest {}).await.expect("info").into_inner();
        if info.version == second {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("SIGHUP did not reload the CURRENT version:\n{}", server.log());
}

/// Every reload path refuses a model that drops the `stance` head, naming it, and the
/// served model, its info and its health stay as they were; `--allow-head-change` lets it in.
#[tokio::test]
async fn a_reload_that_drops_a_head_is_refused_unless_allowed() {
    let (dir, first, _) = common::reload_models_dir();
    let topic_only = common::add_topic_only_model(dir.path());
    let server = Server::start_with(dir.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let mut admin = AdminClient::new(server.channel().await);
    let refused = admin.reload_model(reload_request("topic-only", Some(TOKEN))).await.expect_err("head dropped");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused.message().contains("head `stance` is missing"), "{}", refused.message());
    assert!(refused.message().contains("--allow-head-change"), "{}", refused.message());

    accord::ModelStore::new(dir.path()).promote("topic-only").expect("promote");
    server.signal("HUP");
    let log_says_refused = || server.log().contains("SIGHUP reload refused");
    for _ in 0..200 {
        if log_says_refused() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(log_says_refused(), "SIGHUP did not refuse the topic-only model:\n{}", server.log());
    let mut client = server.client().await;
    let info = client.get_model_info(GetModelInfoRequest {}).await.expect("info").into_inner();
    assert_eq!(info.version, first, "the refused model must not be served");
    let answer = client.classify(classify_request("x", SPORTS_COOPERATION, 0)).await.expect("classify");
    assert!(answer.into_inner().predictions.contains_key("stance"), "the stance head is still answered");
    server.assert_still_serving().await;

    let allowed = Server::start_with(
        dir.path(),
        &["--allow-head-change", "--model", "default"],
        &[("ACCORD_ADMIN_TOKEN", TOKEN)],
    );
    let mut admin = AdminClient::new(allowed.channel().await);
    let reloaded = admin.reload_model(reload_request("topic-only", Some(TOKEN))).await.expect("allowed");
    assert_eq!(reloaded.get_ref().version, topic_only);
    let info = allowed.client().await.get_model_info(GetModelInfoRequest {}).await.expect("info").into_inner();
    assert_eq!(info.version, topic_only, "GetModelInfo describes the model served");
}
