//! `accord classify`: JSON Lines in, one ClassifyResponse-shaped JSON line out per article,
//! in input order; bad lines reported by number while the rest are classified.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn classify(input: &str, extra: &[&str]) -> Output {
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/default/model.bin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["classify", "--model-file", model])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("accord starts");
    // Feed stdin from another thread: accord writes output while it still reads input, and
    // a full stdout pipe would otherwise wait on us forever.
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_owned();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("accord finishes");
    feeder.join().expect("feeder thread").expect("write input");
    output
}

fn lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

#[test]
fn prints_grpcurl_shaped_json_and_reports_bad_lines_by_number() {
    let input = [
        r#"{"id": "a", "title": "Cup final", "text": "The striker scored twice as the home side won the league."}"#,
        "not json",
        r#"{"id": "c", "text": "   "}"#,
        r#"{"id": "d", "text": "The two governments signed a trade agreement."}"#,
    ]
    .join("\n");
    let output = classify(&input, &["--explain", "2"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "bad lines make the exit status 3");
    assert!(stderr.contains("line 2:") && stderr.contains("line 3:"), "{stderr}");
    let results = lines(&output);
    let ids: Vec<&str> = results.iter().map(|r| r["id"].as_str().unwrap_or_default()).collect();
    assert_eq!(ids, ["a", "d"]);
    let topic = &results[0]["predictions"]["topic"];
    assert_eq!(topic["label"], "sports");
    let probabilities: Vec<f64> =
        topic["probabilities"].as_array().expect("list").iter().filter_map(|p| p["probability"].as_f64()).collect();
    assert_eq!(probabilities.len(), 4);
    assert!(probabilities.windows(2).all(|w| w[0] >= w[1]), "most likely first: {probabilities:?}");
    assert_eq!(topic["evidence"].as_array().map(Vec::len), Some(2));
    assert!(results[0]["modelVersion"].as_str().is_some_and(|v| v.starts_with('v')));
}

#[test]
fn keeps_input_order_across_batches_and_lists_sentences_on_request() {
    let input: String = (0..2_500)
        .map(|n| format!("{{\"id\": \"{n}\", \"text\": \"Talks number {n} ended. Both sides agreed.\"}}\n"))
        .collect();
    let output = classify(&input, &["--sentences"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let results = lines(&output);
    let ids: Vec<String> = results.iter().map(|r| r["id"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(ids, (0..2_500).map(|n| n.to_string()).collect::<Vec<_>>());
    assert_eq!(results[7]["sentences"].as_array().map(Vec::len), Some(2));
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn accord_classify(args: &[&str]) -> Command {
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/default/model.bin");
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command.args(["classify", "--model-file", model]).args(args).env_remove("ACCORD_MAX_TEXT_BYTES");
    command
}

/// Every kind of bad line is named with its file and line number, the good lines around
/// it are printed in order, and the exit status is 3.
#[test]
fn each_bad_line_is_named_and_the_others_are_classified() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = |id: &str| format!("{{\"id\": \"{id}\", \"text\": \"The striker scored twice in the league.\"}}\n");
    let long_text = "word ".repeat(300);
    let mut input = Vec::new();
    input.extend(good("1").as_bytes());
    input.extend(b"{\"id\": \"2\", \"text\": \"caf\xe9\"}\n"); // Latin-1, not UTF-8
    input.extend(good("3").as_bytes());
    input.extend(b"[\"an\", \"array\"]\n");
    input.extend(b"{\"id\": \"5\", \"text\": \n");
    input.extend(format!("{{\"id\": \"6\", \"text\": \"{long_text}\"}}\n").as_bytes());
    input.extend(format!("{{\"id\": \"7\", \"title\": \"{long_text}\", \"text\": \"Short.\"}}\n").as_bytes());
    input.extend(good("8").as_bytes());
    let path = dir.path().join("articles.jsonl");
    std::fs::write(&path, &input).expect("write the input");
    let file = path.display().to_string();
    let output = accord_classify(&["--max-text-bytes", "1000", &file]).output().expect("accord runs");
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let ids: Vec<String> = lines(&output).iter().map(|r| r["id"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(ids, ["1", "3", "8"]);
    for expected in [
        format!("{file}: line 2: not UTF-8"),
        format!("{file}: line 4: not a JSON object"),
        format!("{file}: line 5: invalid JSON"),
        format!("{file}: line 6: `text` is 1500 bytes, over the limit of 1000 bytes"),
        format!("{file}: line 7: `title` is 1500 bytes, over the limit of 1000 bytes"),
    ] {
        assert!(stderr.contains(&expected), "no {expected:?} in:\n{stderr}");
    }
    assert!(stderr.contains("5 line(s) could not be classified"), "{stderr}");
}

/// A line far longer than any article within the limit is skipped without being held whole,
/// and reading goes on at the next line.
#[test]
fn a_line_longer_than_any_article_is_skipped_and_the_next_is_read() {
    let huge = format!("{{\"id\": \"big\", \"text\": \"{}\"}}\n", "x".repeat(200_000));
    let input = format!("{huge}{{\"id\": \"after\", \"text\": \"Both sides agreed.\"}}\n");
    let output = classify(&input, &["--max-text-bytes", "1000"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("standard input: line 1: the line is 200"), "{}", stderr(&output));
    let ids: Vec<String> = lines(&output).iter().map(|r| r["id"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(ids, ["after"]);
}

/// The text limit is the server's: the same default as `accord serve --max-text-bytes`.
#[test]
fn the_text_limit_defaults_to_the_servers() {
    let help = |command: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_accord")).args([command, "--help"]).output().expect("help");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let start = text.find("--max-text-bytes").unwrap_or_else(|| panic!("no --max-text-bytes in {command}"));
        let rest = &text[start..];
        let default = &rest[rest.find("[default: ").expect("a default")..];
        default[..default.find(']').expect("]") + 1].to_owned()
    };
    assert_eq!(help("classify"), help("serve"));
    // Over the default limit: refused as the server refuses it.
    let text = "a ".repeat((1 << 20) / 2 + 1);
    let output = classify(&format!("{{\"id\": \"x\", \"text\": \"{text}\"}}\n"), &[]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("over the limit of 1048576 bytes"), "{}", stderr(&output));
}

#[test]
fn a_missing_file_is_named_and_an_empty_one_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.jsonl").display().to_string();
    let output = accord_classify(&[&missing]).output().expect("accord runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(&format!("cannot open {missing}: ")), "{}", stderr(&output));

    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "\n  \n").expect("write");
    let empty = empty.display().to_string();
    let output = accord_classify(&[&empty]).output().expect("accord runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains(&format!("{empty}: no articles")), "{}", stderr(&output));

    let directory = dir.path().display().to_string();
    let output = accord_classify(&[&directory]).output().expect("accord runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(&format!("cannot read {directory}")), "{}", stderr(&output));
}

/// `accord classify … | head -1`: once the reader is gone, classify stops quietly with 0.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("many.jsonl");
    let input: String = (0..3_000)
        .map(|n| format!("{{\"id\": \"{n}\", \"text\": \"Talks number {n} ended. Both sides agreed.\"}}\n"))
        .collect();
    std::fs::write(&path, input).expect("write");
    let mut child = accord_classify(&[path.to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("accord starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("accord finishes");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
}
