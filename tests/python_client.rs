//! The Python package (clients/python, `accord-client`) installed with pip into a fresh
//! virtual environment, as a user installs it, and called against a live server: its typed
//! client for every call, its command line (bad lines named, `--sentences` passed on, a
//! closed pipe), TLS with `--ca-cert`, and the thin example in examples/python. Its committed
//! gRPC stubs must be what grpcio-tools generates from proto/ today.
//!
//! The environment needs `python3 -m venv` and PyPI (for grpcio); without a venv module the
//! tests say so and pass, any other failure fails them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use common::pb::{self, ClassifyBatchRequest, GetModelInfoRequest};
use common::{classify_request, repo_root, Server};

const TOKEN: &str = "python-admin-token";

/// The grpcio-tools that generated the committed stubs.
const GRPCIO_TOOLS: &str = "grpcio-tools==1.85.1";

/// The fresh environment's python, with the package and grpcio-tools installed; `None` when
/// this Python cannot make a virtual environment.
fn venv_python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("accord-python-venv");
            let _ = std::fs::remove_dir_all(&dir);
            let made = Command::new(&python).args(["-m", "venv"]).arg(&dir).output().expect("python3 runs");
            if !made.status.success() {
                eprintln!(
                    "SKIPPED: `{python} -m venv` cannot make a virtual environment here ({}); install python3-venv",
                    String::from_utf8_lossy(&made.stderr).trim()
                );
                return None;
            }
            let venv_python = dir.join("bin/python");
            let package = repo_root().join("clients/python");
            let install = Command::new(&venv_python)
                .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
                .arg(&package)
                .arg(GRPCIO_TOOLS)
                .output()
                .expect("pip runs");
            assert!(install.status.success(), "pip install ./clients/python failed:\n{}", stderr(&install));
            Some(venv_python)
        })
        .as_deref()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `accord-client ARGS` from the fresh environment.
fn accord_client(python: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(python.with_file_name("accord-client"));
    command.args(args).env_remove("ACCORD_SERVER").env_remove("ACCORD_ADMIN_TOKEN").current_dir(std::env::temp_dir());
    command
}

fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(stdout);
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))).collect()
}

#[test]
fn the_committed_stubs_are_what_the_proto_generates() {
    let Some(python) = venv_python() else { return };
    let out = tempfile::tempdir().expect("tempdir");
    let script = repo_root().join("clients/python/generate_stubs.py");
    let output = Command::new(python).arg(script).arg("--out").arg(out.path()).output().expect("generator runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let committed = repo_root().join("clients/python/src/accord_client/_stubs");
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("stub folder")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".py") || name.ends_with(".pyi"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(out.path()), names(&committed));
    for name in names(out.path()) {
        let fresh = std::fs::read_to_string(out.path().join(&name)).expect("fresh stub");
        let kept = std::fs::read_to_string(committed.join(&name)).expect("committed stub");
        assert!(
            fresh == kept,
            "clients/python/src/accord_client/_stubs/{name} differs from proto/: run clients/python/generate_stubs.py"
        );
    }
}

/// Every call of the typed client, printed by a small program, against what the Rust client
/// gets for the same requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typed_client_makes_every_call() {
    let Some(python) = venv_python() else { return };
    let (dir, first, second) = common::reload_models_dir();
    let server = Server::start_with(dir.path(), &[], &[("ACCORD_ADMIN_TOKEN", TOKEN)]);
    let program = r#"
import json, sys
from accord_client import Client, message_to_json, pb
with Client(sys.argv[1], admin_token=sys.argv[2]) as client:
    a = client.classify(sys.argv[3], id="one", explain=2, sentences=True)
    print(message_to_json(a))
    batch = client.classify_batch([Client.request(t, id=str(i)) for i, t in enumerate(sys.argv[3:5])])
    print(json.dumps([r.id for r in batch]))
    stream = client.classify_stream(Client.request(t, id=f"s{i}") for i, t in enumerate(sys.argv[3:5]))
    print(json.dumps([r.id for r in stream]))
    print(json.dumps([t.text for t in client.tokenize(sys.argv[3]).tokens]))
    print(json.dumps(len(client.vectorize(sys.argv[3]).features)))
    print(client.model_info().version)
    print(client.health(), client.health("accord.v1.Classifier"))
    r = client.reload("second")
    print(r.previous_version, r.version)
    try:
        Client(sys.argv[1], admin_token="wrong").reload("")
    except Exception as e:
        print(type(e).__name__, e.code)
"#;
    let mut client = server.client().await;
    let request = pb::ClassifyRequest { sentences: true, ..classify_request("one", common::SPORTS_COOPERATION, 2) };
    let direct = client.classify(request).await.expect("classify").into_inner();
    let output = Command::new(python)
        .args(["-c", program, &server.addr, TOKEN, common::SPORTS_COOPERATION, common::WORLD_TENSION])
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "{text}");

    let printed: pb::ClassifyResponse = serde_json::from_str(lines[0]).expect("a ClassifyResponse");
    assert_eq!(printed, direct, "the Python client's Classify differs from a direct call");
    assert_eq!(lines[1], r#"["0", "1"]"#);
    assert_eq!(lines[2], r#"["s0", "s1"]"#);
    let tokens = client
        .tokenize(pb::TokenizeRequest { article: common::article("", "", common::SPORTS_COOPERATION) })
        .await
        .expect("tokenize")
        .into_inner();
    let words: Vec<&str> = tokens.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(lines[3], serde_json::to_string(&words).expect("json").replace(',', ", "));
    let vector = client
        .vectorize(pb::VectorizeRequest { article: common::article("", "", common::SPORTS_COOPERATION) })
        .await
        .expect("vectorize")
        .into_inner();
    assert_eq!(lines[4], vector.features.len().to_string());
    assert_eq!(lines[5], first);
    assert_eq!(lines[6], "SERVING SERVING");
    assert_eq!(lines[7], format!("{first} {second}"));
    assert_eq!(lines[8], "AccordError UNAUTHENTICATED");
    let info = client.get_model_info(GetModelInfoRequest {}).await.expect("info").into_inner();
    assert_eq!(info.version, second, "the reload the Python client asked for took place");
}

/// The seed articles as JSON Lines, with bad lines 3 (not JSON), 5 (empty text) and 6 (an
/// array) among them.
fn write_jsonl(dir: &Path) -> (PathBuf, Vec<(String, String)>) {
    let seeds: Vec<(String, String)> = ["001", "002", "003", "004"]
        .iter()
        .map(|id| {
            (
                id.to_string(),
                format!("Talks number {id} ended in the capital. Both sides signed an agreement on trade."),
            )
        })
        .collect();
    let mut lines: Vec<String> =
        seeds.iter().map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string()).collect();
    lines.insert(2, "{not json".into());
    lines.insert(4, serde_json::json!({"id": "blank", "text": "  "}).to_string());
    lines.insert(5, "[1, 2]".into());
    let path = dir.join("articles.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write the input");
    (path, seeds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_names_bad_lines_and_passes_sentences_on() {
    let Some(python) = venv_python() else { return };
    // The shipped model, which lists the sentences of an article.
    let server = Server::start_with(&repo_root().join("models"), &[], &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (input, seeds) = write_jsonl(dir.path());
    let file = input.display().to_string();
    let args = ["--server", &server.addr, "classify", "--batch", "2", "--sentences", &file];
    let output = accord_client(python, &args).output().expect("accord-client runs");
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "bad lines make the exit status 3:\n{errors}");
    for expected in [
        format!("{file}: line 3: invalid JSON"),
        format!("{file}: line 5: `text` is empty"),
        format!("{file}: line 6: not a JSON object"),
    ] {
        assert!(errors.contains(&expected), "no {expected:?} in:\n{errors}");
    }
    let printed: Vec<pb::ClassifyResponse> = json_lines(&output.stdout)
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("a ClassifyResponse"))
        .collect();
    let requests = seeds
        .iter()
        .map(|(id, text)| pb::ClassifyRequest { sentences: true, ..classify_request(id, text, 0) })
        .collect();
    let direct = server.client().await.classify_batch(ClassifyBatchRequest { requests }).await.expect("batch");
    assert_eq!(printed, direct.into_inner().responses, "accord-client and a direct call differ");
    assert!(printed.iter().all(|r| !r.sentences.is_empty()), "--sentences was passed on");

    // --relations is passed on (the bad line of the file still makes the status 3).
    let relations = accord_client(python, &["--server", &server.addr, "classify", "--relations", &file])
        .output()
        .expect("accord-client runs");
    assert_eq!(relations.status.code(), Some(3), "{}", stderr(&relations));

    // The example is a thin use of the package: the same lines.
    let example = Command::new(python)
        .arg(repo_root().join("examples/python/classify_file.py"))
        .args(["--addr", &server.addr, "--sentences", &file])
        .output()
        .expect("the example runs");
    assert_eq!(example.status.code(), Some(3), "{}", stderr(&example));
    assert_eq!(example.stdout, output.stdout);
}

#[test]
fn a_closed_pipe_ends_the_command_line_quietly_and_bad_addresses_are_named() {
    let Some(python) = venv_python() else { return };
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("many.jsonl");
    let lines: String = (0..2_000)
        .map(|n| format!("{{\"id\": \"{n}\", \"text\": \"Talks number {n} ended. Both sides agreed.\"}}\n"))
        .collect();
    std::fs::write(&path, lines).expect("write");
    let mut child = accord_client(python, &["--server", &server.addr, "classify", path.to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("accord-client starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("accord-client finishes");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "a closed pipe printed something");

    let missing = dir.path().join("missing.jsonl").display().to_string();
    let output = accord_client(python, &["--server", &server.endpoint(), "classify", &missing]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("cannot open {missing}")), "{}", stderr(&output));
    let output = accord_client(python, &["--server", "127.0.0.1:1", "--timeout", "5", "info"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("GetModelInfo failed: UNAVAILABLE"), "{}", stderr(&output));
}

#[test]
fn a_tls_server_is_reached_with_its_ca_certificate() {
    let Some(python) = venv_python() else { return };
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let server = Server::start(&["--tls-cert", &cert, "--tls-key", &key]);
    let port = server.addr.rsplit(':').next().expect("a port");
    for target in [format!("localhost:{port}"), format!("https://localhost:{port}")] {
        let output =
            accord_client(python, &["--server", &target, "--ca-cert", &cert, "health"]).output().expect("runs");
        assert!(output.status.success(), "health over TLS at {target}: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "SERVING");
    }
    let info = accord_client(python, &["--server", &format!("localhost:{port}"), "--ca-cert", &cert, "info"])
        .output()
        .expect("runs");
    assert!(info.status.success(), "{}", stderr(&info));
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).expect("ModelInfo JSON");
    assert_eq!(info["version"], common::fixture_version().as_str());
    let plain = accord_client(python, &["--server", &format!("localhost:{port}"), "--timeout", "5", "health"])
        .output()
        .expect("runs");
    assert_eq!(plain.status.code(), Some(1), "a plaintext client reached the TLS server");
}

/// `--relations` prints the actors and relations a direct call gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relations_are_passed_on() {
    let Some(python) = venv_python() else { return };
    let server = Server::start_with(&repo_root().join("models"), &[], &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "Germany and France signed a defence agreement in Paris. \
                Russia condemned the deal and threatened sanctions against Germany. \
                Moscow said Berlin would pay for the agreement with France.";
    let path = dir.path().join("relations.jsonl");
    std::fs::write(&path, serde_json::json!({"id": "r", "text": text}).to_string() + "\n").expect("write the input");
    let file = path.display().to_string();
    let output = accord_client(python, &["--server", &server.addr, "classify", "--relations", &file])
        .output()
        .expect("accord-client runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: Vec<pb::ClassifyResponse> = json_lines(&output.stdout)
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("a ClassifyResponse"))
        .collect();
    let request = pb::ClassifyRequest { relations: true, ..classify_request("r", text, 0) };
    let direct = server.client().await.classify(request).await.expect("classify").into_inner();
    assert!(!direct.actors.is_empty() && !direct.relations.is_empty(), "the text relates actors: {direct:?}");
    assert_eq!(printed, vec![direct], "accord-client and a direct call differ");
}
