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
    assert!(!output.status.success(), "bad lines must make the exit status fail");
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
