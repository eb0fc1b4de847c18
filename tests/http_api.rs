//! The HTTP/JSON routes on `--http-addr`, against the real binary: the same answers as gRPC,
//! the same limits, deadlines and metrics, errors as `google.rpc.Status`, readiness that
//! follows the drain, and an OpenAPI document that matches what the server answers.

mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{classify_request, pb, Server, SPORTS_COOPERATION, WORLD_TENSION};
use serde_json::{json, Value};

/// A blocking HTTP client without proxies that returns 4xx and 5xx answers as answers.
fn http() -> ureq::Agent {
    ureq::Agent::config_builder().proxy(None).http_status_as_error(false).build().new_agent()
}

/// An answer: status, content type and body.
struct Answer {
    status: u16,
    content_type: String,
    request_id: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `google.rpc.Status` body: code and message, after checking its shape.
    fn rpc_status(&self) -> (i64, String) {
        let status = self.json();
        assert_eq!(self.content_type, "application/json");
        assert_eq!(status["details"], json!([]), "{status}");
        let code = status["code"].as_i64().unwrap_or_else(|| panic!("no code: {status}"));
        (code, status["message"].as_str().unwrap_or_default().to_owned())
    }
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> Answer {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (content_type, request_id) = (header("content-type"), header("x-request-id"));
    let body = response.body_mut().read_to_string().expect("a text body");
    Answer { status: response.status().as_u16(), content_type, request_id, body }
}

fn post(base: &str, path: &str, body: &str, headers: &[(&str, &str)]) -> Answer {
    let request = headers.iter().fold(http().post(format!("{base}{path}")), |r, (k, v)| r.header(*k, *v));
    answer(request.content_type("application/json").send(body).unwrap_or_else(|e| panic!("POST {path}: {e}")))
}

fn get(url: &str) -> Answer {
    answer(http().get(url).call().unwrap_or_else(|e| panic!("GET {url}: {e}")))
}

/// The address the server logged as `<what> listening on IP:PORT`.
fn logged_addr(server: &Server, what: &str) -> String {
    let log = server.log();
    let marker = format!("{what} listening on ");
    let (_, rest) = log.split_once(&marker).unwrap_or_else(|| panic!("no {what} address:\n{log}"));
    let addr = rest.split(|c: char| c.is_whitespace() || c == '"').next().expect("an address");
    format!("http://{addr}")
}

fn start(extra: &[&str]) -> (Server, String) {
    let mut flags = vec!["--http-addr", "127.0.0.1:0"];
    flags.extend_from_slice(extra);
    let server = Server::start(&flags);
    let base = logged_addr(&server, "http");
    (server, base)
}

fn article_json(id: &str, text: &str, explain: u32) -> String {
    json!({ "article": { "id": id, "text": text }, "explain": explain }).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_answers_the_json_grpc_answers() {
    let (server, base) = start(&[]);
    let mut client = server.client().await;
    let line = |message: &dyn erased::Line| message.line();

    let grpc = client.classify(classify_request("a", WORLD_TENSION, 3)).await.expect("classify").into_inner();
    let http = post(&base, "/v1/classify", &article_json("a", WORLD_TENSION, 3), &[]);
    assert_eq!((http.status, http.content_type.as_str()), (200, "application/json"), "{}", http.body);
    assert_eq!(http.body, line(&grpc));

    let requests = vec![classify_request("a", WORLD_TENSION, 1), classify_request("b", SPORTS_COOPERATION, 0)];
    let grpc = client.classify_batch(pb::ClassifyBatchRequest { requests: requests.clone() }).await;
    let body = json!({ "requests": [
        { "article": { "id": "a", "text": WORLD_TENSION }, "explain": 1 },
        { "article": { "id": "b", "text": SPORTS_COOPERATION } },
    ]});
    let http = post(&base, "/v1/classify:batch", &body.to_string(), &[]);
    assert_eq!(http.body, line(&grpc.expect("batch").into_inner()));

    let article = common::article("t", "Title", WORLD_TENSION);
    let grpc = client.tokenize(pb::TokenizeRequest { article: article.clone() }).await.expect("tokenize");
    let body = json!({ "article": { "id": "t", "title": "Title", "text": WORLD_TENSION } }).to_string();
    assert_eq!(post(&base, "/v1/tokenize", &body, &[]).body, line(&grpc.into_inner()));
    let grpc = client.vectorize(pb::VectorizeRequest { article }).await.expect("vectorize");
    assert_eq!(post(&base, "/v1/vectorize", &body, &[]).body, line(&grpc.into_inner()));

    let grpc = client.get_model_info(pb::GetModelInfoRequest {}).await.expect("model info").into_inner();
    assert_eq!(get(&format!("{base}/v1/model")).body, line(&grpc));
}

/// `to_line` for any message, so the comparisons above read as one call.
mod erased {
    pub trait Line {
        fn line(&self) -> String;
    }

    impl<T: serde::Serialize> Line for T {
        fn line(&self) -> String {
            accord::grpc::json::to_line(self).expect("writes JSON")
        }
    }
}

#[test]
fn mistakes_are_400_naming_the_field_and_unknown_routes_404() {
    let (_server, base) = start(&["--max-text-bytes", "200", "--max-batch", "2"]);
    let cases: [(&str, &str, &str); 6] = [
        ("/v1/classify", r#"{"article": {"text": 5}}"#, "article.text: invalid type"),
        ("/v1/classify", r#"{"article": {"text": "x"}, "explian": 2}"#, "explian: unknown field"),
        (
            "/v1/classify:batch",
            r#"{"requests": [{"article": {"text": "a"}, "explain": "two"}]}"#,
            "requests[0].explain",
        ),
        ("/v1/classify", r#"{"article": {"text": "  "}}"#, "article.text is empty"),
        (
            "/v1/classify",
            &article_json("x", &"word ".repeat(50), 0),
            "article.text is 250 bytes, over the limit of 200",
        ),
        ("/v1/classify", "[1, 2]", "not a valid request"),
    ];
    for (path, body, expected) in cases {
        let answer = post(&base, path, body, &[]);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        let (code, message) = answer.rpc_status();
        assert_eq!(code, 3, "{message}");
        assert!(message.contains(expected), "{body}: {message:?} does not contain {expected:?}");
    }
    let three = json!({ "requests": [{ "article": { "text": "a" } }, { "article": { "text": "b" } }, { "article": { "text": "c" } }] });
    let (code, message) = post(&base, "/v1/classify:batch", &three.to_string(), &[]).rpc_status();
    assert_eq!(code, 3);
    assert!(message.contains("--max-batch"), "{message}");

    let answer = get(&format!("{base}/v1/nothing"));
    assert_eq!((answer.status, answer.rpc_status().0), (404, 5), "{}", answer.body);
    let answer = get(&format!("{base}/v1/classify"));
    assert_eq!(answer.status, 405, "{}", answer.body);
}

#[test]
fn bodies_over_the_message_limit_are_413_and_over_the_bytes_in_flight_429() {
    let (server, base) = start(&["--max-message-bytes", "4096", "--max-bytes-in-flight", "2048"]);
    let over_message = article_json("big", &"word ".repeat(1000), 0);
    let answer = post(&base, "/v1/classify", &over_message, &[]);
    assert_eq!(answer.status, 413, "{}", answer.body);
    let (code, message) = answer.rpc_status();
    assert_eq!(code, 8);
    assert!(message.contains("--max-message-bytes"), "{message}");

    let over_budget = article_json("mid", &"word ".repeat(600), 0);
    let answer = post(&base, "/v1/classify", &over_budget, &[]);
    assert_eq!(answer.status, 429, "{}", answer.body);
    let (code, message) = answer.rpc_status();
    assert_eq!(code, 8);
    assert!(message.contains("--max-bytes-in-flight"), "{message}");

    // A chunked body (no length declared) is counted as it arrives.
    let chunked = chunked_post(&base, "/v1/classify", over_budget.as_bytes());
    assert!(chunked.starts_with("HTTP/1.1 429"), "{chunked}");

    let small = post(&base, "/v1/classify", &article_json("ok", SPORTS_COOPERATION, 0), &[]);
    assert_eq!(small.status, 200, "the budget is given back: {}", small.body);
    drop(server);

    let (_server, base) = start(&["--max-message-bytes", "4096"]);
    let chunked = chunked_post(&base, "/v1/classify", over_message.as_bytes());
    assert!(chunked.starts_with("HTTP/1.1 413"), "{chunked}");
    assert!(chunked.contains("more than 4096 bytes"), "{chunked}");
}

/// POSTs `body` in 1 KiB chunks with `Transfer-Encoding: chunked`; the raw answer.
fn chunked_post(base: &str, path: &str, body: &[u8]) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let head =
        format!("POST {path} HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n");
    let mut request = head.into_bytes();
    for chunk in body.chunks(1024) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before reading everything: a failed write is fine.
    let _ = stream.write_all(&request);
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn the_callers_grpc_timeout_ends_a_call_with_504() {
    let (_server, base) = start(&[]);
    let requests: Vec<Value> = (0..256)
        .map(|i| json!({ "article": { "id": i.to_string(), "text": WORLD_TENSION.repeat(20) }, "explain": 5 }))
        .collect();
    let body = json!({ "requests": requests }).to_string();
    let answer = post(&base, "/v1/classify:batch", &body, &[("grpc-timeout", "1m")]);
    assert_eq!(answer.status, 504, "{}", &answer.body[..answer.body.len().min(300)]);
    let (code, message) = answer.rpc_status();
    assert_eq!(code, 4);
    assert!(message.contains("grpc-timeout"), "{message}");
}

type Scrape = BTreeMap<String, f64>;

fn scrape(metrics: &str) -> Scrape {
    let text = get(&format!("{metrics}/metrics")).body;
    let samples = text.lines().filter(|line| !line.starts_with('#'));
    samples.filter_map(|line| line.rsplit_once(' ').and_then(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))).collect()
}

#[test]
fn http_calls_are_counted_and_logged_as_grpc_calls_are() {
    let (server, base) = start(&["--metrics-addr", "127.0.0.1:0", "--log-format", "json"]);
    let metrics = logged_addr(&server, "metrics");
    let before = scrape(&metrics);
    assert_eq!(
        post(&base, "/v1/classify", &article_json("a", WORLD_TENSION, 0), &[("x-request-id", "req-42")]).status,
        200
    );
    assert_eq!(post(&base, "/v1/classify", &article_json("b", "", 0), &[]).status, 400);
    let after = scrape(&metrics);
    let delta = |series: &str| after.get(series).unwrap_or(&0.0) - before.get(series).unwrap_or(&0.0);
    assert_eq!(delta("accord_rpc_calls_total{method=\"Classify\",code=\"OK\"}"), 1.0, "{after:?}");
    assert_eq!(delta("accord_rpc_calls_total{method=\"Classify\",code=\"INVALID_ARGUMENT\"}"), 1.0, "{after:?}");
    assert_eq!(delta("accord_rpc_duration_seconds_count{method=\"Classify\"}"), 2.0, "{after:?}");
    let classified: f64 = after
        .iter()
        .filter(|(k, _)| k.starts_with("accord_articles_classified_total{head=\"topic\""))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(classified, 1.0, "{after:?}");

    std::thread::sleep(Duration::from_millis(200));
    let log = server.log();
    let line = log.lines().find(|line| line.contains("req-42") && line.contains("call finished"));
    let line: Value =
        serde_json::from_str(line.unwrap_or_else(|| panic!("no call line with the request id:\n{log}"))).expect("JSON");
    assert_eq!(line["span"]["peer"].as_str().map(|p| p.starts_with("127.0.0.1:")), Some(true), "{line}");
}

#[test]
fn ready_turns_503_when_shutdown_starts_and_health_stays_200() {
    let (server, base) = start(&["--drain-secs", "5"]);
    assert_eq!(get(&format!("{base}/readyz")).status, 200);
    server.signal("TERM");
    let deadline = Instant::now() + Duration::from_secs(3);
    let ready = loop {
        let ready = get(&format!("{base}/readyz"));
        if ready.status != 200 || Instant::now() > deadline {
            break ready;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert_eq!(ready.json(), json!({ "status": "NOT_SERVING" }));
    assert_eq!(get(&format!("{base}/healthz")).json(), json!({ "status": "SERVING" }));
    // Calls are still answered during the drain.
    assert_eq!(post(&base, "/v1/classify", &article_json("d", WORLD_TENSION, 0), &[]).status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_returned_generated_when_missing_and_traces_logged() {
    let (server, base) = start(&["--log-format", "json"]);
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let traceparent = format!("00-{trace}-00f067aa0ba902b7-01");
    let body = article_json("a", WORLD_TENSION, 0);
    let sent = post(&base, "/v1/classify", &body, &[("x-request-id", "client-7"), ("traceparent", &traceparent)]);
    assert_eq!((sent.status, sent.request_id.as_str()), (200, "client-7"));
    let generated = post(&base, "/v1/classify", &article_json("b", "", 0), &[]);
    assert_eq!(generated.status, 400);
    assert!(
        generated.request_id.len() == 32 && generated.request_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{}",
        generated.request_id
    );
    let unknown = get(&format!("{base}/nowhere"));
    assert_eq!(unknown.request_id.len(), 32, "every answer has one");

    let mut client = server.client().await;
    let answer = client.classify(classify_request("g", WORLD_TENSION, 0)).await.expect("classify");
    let grpc_id = answer.metadata().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(grpc_id.len(), 32, "{:?}", answer.metadata());
    let mut request = tonic::Request::new(classify_request("h", "", 0));
    request.metadata_mut().insert("x-request-id", "grpc-client-9".parse().expect("ascii"));
    let refused = client.classify(request).await.expect_err("empty text");
    assert_eq!(refused.metadata().get("x-request-id").and_then(|v| v.to_str().ok()), Some("grpc-client-9"));

    tokio::time::sleep(Duration::from_millis(200)).await;
    let lines = server.log().lines().filter_map(|line| serde_json::from_str::<Value>(line).ok()).collect::<Vec<_>>();
    let calls: Vec<&Value> = lines
        .iter()
        .filter(|line| line["fields"]["message"].as_str().is_some_and(|m| m.starts_with("call ")))
        .collect();
    let ids: Vec<&str> = calls.iter().filter_map(|c| c["span"]["request_id"].as_str()).collect();
    for id in ["client-7", generated.request_id.as_str(), grpc_id.as_str(), "grpc-client-9"] {
        assert!(ids.contains(&id), "{id} not logged: {ids:?}");
    }
    let traced = calls.iter().find(|c| c["span"]["request_id"] == "client-7").expect("the traced call");
    assert_eq!(traced["span"]["trace_id"], trace, "{traced}");
}

/// scripts/check_openapi.py: the document validates (openapi-spec-validator), every
/// documented operation answers its example with a body its schema accepts, and an
/// undocumented path is 404.
#[test]
fn the_openapi_document_matches_the_running_server() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let has_validator = Command::new(&python).args(["-c", "import openapi_spec_validator, jsonschema"]).output();
    assert!(
        has_validator.is_ok_and(|o| o.status.success()),
        "openapi-spec-validator is not installed: run `python3 -m pip install openapi-spec-validator` (scripts/test does)"
    );
    let (_server, base) = start(&[]);
    let script = common::repo_root().join("scripts/check_openapi.py");
    let output = Command::new(&python).arg(script).arg(&base).output().expect("python3 runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{printed}");
    for operation in
        ["POST /v1/classify answer", "POST /v1/classify:batch answer", "GET /v1/model answer", "GET /readyz answer"]
    {
        assert!(printed.contains(&format!("ok   {operation}")), "{printed}");
    }
}
