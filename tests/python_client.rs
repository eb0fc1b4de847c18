//! The Python example client (examples/python/classify_file.py, grpcio) against the live
//! server on the shipped model: what a Python user would run. Its packages come from
//! `pip install -r examples/python/requirements.txt` (scripts/test does it); the test fails
//! if they are missing, rather than skip. What it prints is read back with the messages'
//! generated proto3 JSON mapping (the one `accord classify` prints with) and must be the
//! message a direct call returns.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::pb::{ClassifyBatchRequest, ClassifyResponse, GetModelInfoRequest};
use common::{classify_request, repo_root, Server};

/// `$PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

fn run_client(server: &Server, args: &[&str]) -> Output {
    let has_grpc = Command::new(python()).args(["-c", "import grpc, grpc_tools"]).output().expect("python3 runs");
    assert!(
        has_grpc.status.success(),
        "grpcio is not installed: run `python3 -m pip install -r examples/python/requirements.txt` (scripts/test does)"
    );
    let script = repo_root().join("examples/python/classify_file.py");
    let output = Command::new(python()).arg(script).arg("--addr").arg(&server.addr).args(args).output();
    output.expect("the client runs")
}

/// The seed articles: (file name, text), in file order.
fn seeds() -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("data/seeds"))
        .expect("data/seeds")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".txt"))
        .collect();
    names.sort();
    names.into_iter().map(|name| (name.clone(), common::seed_text(&name))).collect()
}

/// Each printed line as JSON.
fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(stdout);
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))).collect()
}

/// Each printed line as the `ClassifyResponse` it spells in the proto3 JSON mapping.
fn printed_responses(stdout: &[u8]) -> Vec<ClassifyResponse> {
    let text = String::from_utf8_lossy(stdout);
    let read =
        |line: &str| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a ClassifyResponse ({e}): {line}"));
    text.lines().map(read).collect()
}

/// A printed response's label per head.
fn printed_labels(response: &serde_json::Value) -> BTreeMap<String, String> {
    let predictions = response["predictions"].as_object().expect("predictions");
    predictions.iter().map(|(head, p)| (head.clone(), p["label"].as_str().expect("label").to_owned())).collect()
}

/// What the Rust client gets for the same texts in one call: each article's label per head.
async fn direct_labels(server: &Server, texts: &[&str]) -> Vec<BTreeMap<String, String>> {
    let requests = texts.iter().map(|text| classify_request("", text, 0)).collect();
    let mut client = server.client().await;
    let responses = client.classify_batch(ClassifyBatchRequest { requests }).await.expect("batch").into_inner();
    let labels = |r: &common::pb::ClassifyResponse| {
        r.predictions.iter().map(|(head, p)| (head.clone(), p.label.clone())).collect::<BTreeMap<_, _>>()
    };
    responses.responses.iter().map(labels).collect()
}

/// The seed articles' files, as paths the client takes.
fn seed_paths(seeds: &[(String, String)]) -> Vec<String> {
    seeds.iter().map(|(name, _)| repo_root().join("data/seeds").join(name).display().to_string()).collect()
}

fn shipped_models() -> PathBuf {
    repo_root().join("models")
}

fn write_jsonl(dir: &Path, seeds: &[(String, String)]) -> PathBuf {
    let mut lines: Vec<String> = seeds
        .iter()
        .map(|(name, text)| serde_json::json!({"id": name, "title": "", "text": text}).to_string())
        .collect();
    lines.insert(2, "{not json".into()); // line 3
    lines.insert(4, serde_json::json!({"id": "blank", "text": "  "}).to_string()); // line 5
    let path = dir.join("articles.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write the input");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classifies_a_jsonl_file_in_chunks_like_a_direct_call() {
    let server = Server::start_with(&shipped_models(), &[], &[]);
    let seeds = seeds();
    assert_eq!(seeds.len(), 5, "data/seeds has five articles");
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write_jsonl(dir.path(), &seeds);

    let output = run_client(&server, &["--batch", "2", input.to_str().expect("utf-8 path")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "bad lines make the exit status 1:\n{stderr}");
    assert!(stderr.contains("line 3: invalid JSON"), "{stderr}");
    assert!(stderr.contains("line 5: `text` is empty"), "{stderr}");

    let printed = json_lines(&output.stdout);
    let ids: Vec<&str> = printed.iter().map(|r| r["id"].as_str().unwrap_or_default()).collect();
    let names: Vec<&str> = seeds.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(ids, names, "one line per good article, in input order");

    let info = server.client().await.get_model_info(GetModelInfoRequest {}).await.expect("info").into_inner();
    let texts: Vec<&str> = seeds.iter().map(|(_, text)| text.as_str()).collect();
    let direct = direct_labels(&server, &texts).await;
    for (response, direct) in printed.iter().zip(&direct) {
        assert_eq!(response["modelVersion"], info.version.as_str());
        let labels = printed_labels(response);
        for head in &info.heads {
            let label = labels.get(&head.name).unwrap_or_else(|| panic!("no {} in {response}", head.name));
            assert!(head.labels.contains(label), "{label} is not a {} label", head.name);
        }
        assert_eq!(&labels, direct, "the Python client and a direct call disagree on {}", response["id"]);
    }

    // Five good articles in chunks of two: three ClassifyBatch calls (and the direct one).
    let log = server.log();
    let batches = log.lines().filter(|l| l.contains("call finished") && l.contains("method=\"ClassifyBatch\""));
    assert_eq!(batches.count(), 4, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_text_file_is_one_article_named_after_the_file() {
    let server = Server::start_with(&shipped_models(), &[], &[]);
    let seeds = seeds();
    let paths = seed_paths(&seeds);
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let output = run_client(&server, &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let printed = json_lines(&output.stdout);
    assert_eq!(printed.len(), seeds.len());
    let texts: Vec<&str> = seeds.iter().map(|(_, text)| text.as_str()).collect();
    let direct = direct_labels(&server, &texts).await;
    for ((response, (name, _)), direct) in printed.iter().zip(&seeds).zip(&direct) {
        assert_eq!(response["id"], name.as_str());
        assert_eq!(&printed_labels(response), direct);
    }
}

/// `--sentences` prints each sentence's stance as a direct call gives it, and `--gzip` sends
/// the requests compressed: the server's log names the encoding of every ClassifyBatch call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentences_and_gzip_are_passed_on() {
    let server = Server::start_with(&shipped_models(), &["--log-format", "json"], &[]);
    let seeds = seeds();
    let paths = seed_paths(&seeds);
    let mut args = vec!["--sentences", "--gzip"];
    args.extend(paths.iter().map(String::as_str));
    let output = run_client(&server, &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let requests = seeds
        .iter()
        .map(|(name, text)| common::pb::ClassifyRequest { sentences: true, ..classify_request(name, text, 0) })
        .collect();
    let mut client = server.client().await;
    let direct = client.classify_batch(ClassifyBatchRequest { requests }).await.expect("batch").into_inner();
    assert_eq!(printed_responses(&output.stdout), direct.responses, "the Python client and a direct call differ");
    let printed = json_lines(&output.stdout);
    assert_eq!(printed.len(), seeds.len());
    for (response, direct) in printed.iter().zip(&direct.responses) {
        let sentences = response["sentences"].as_array().expect("sentences are printed");
        assert!(sentences.len() > 1, "a seed article has several sentences");
        let printed: Vec<(u64, &str)> =
            sentences.iter().map(|s| (s["end"].as_u64().unwrap_or(0), s["label"].as_str().unwrap_or(""))).collect();
        let direct: Vec<(u64, &str)> = direct.sentences.iter().map(|s| (u64::from(s.end), s.label.as_str())).collect();
        assert_eq!(printed, direct);
    }

    let calls = server.finished_calls().await;
    let batches: Vec<&serde_json::Value> =
        calls.iter().filter(|line| line["span"]["method"] == "ClassifyBatch").collect();
    let log = server.log();
    assert_eq!(batches.len(), 2, "the client's call and the direct one:\n{log}");
    assert_eq!(batches[0]["span"]["encoding"], "gzip", "{log}");
    assert!(batches[1]["span"]["encoding"].is_null(), "the direct call is plain: {log}");
}

/// `--relations` prints the actors and relations a direct call gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relations_are_passed_on() {
    let server = Server::start_with(&shipped_models(), &[], &[]);
    let seeds = seeds();
    let paths = seed_paths(&seeds);
    let mut args = vec!["--relations"];
    args.extend(paths.iter().map(String::as_str));
    let output = run_client(&server, &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let requests = seeds
        .iter()
        .map(|(name, text)| common::pb::ClassifyRequest { relations: true, ..classify_request(name, text, 0) })
        .collect();
    let mut client = server.client().await;
    let direct = client.classify_batch(ClassifyBatchRequest { requests }).await.expect("batch").into_inner();
    assert_eq!(printed_responses(&output.stdout), direct.responses, "the Python client and a direct call differ");
    let printed = json_lines(&output.stdout);
    assert!(printed.iter().all(|r| r["actors"].as_array().is_some_and(|a| !a.is_empty())), "seeds name actors");
    assert!(printed.iter().any(|r| r["relations"].as_array().is_some_and(|a| !a.is_empty())), "and relate some");
}
