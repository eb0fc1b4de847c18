//! The shipped model's answers do not drift: `accord classify --explain 3 --sentences` over
//! `tests/golden/input.jsonl` (written by `scripts/golden_input.py`: seeds, the validation
//! articles and a sample of every corpus) and `accord info --json` give the stored outputs.
//! Labels, terms, indices and offsets must be equal; probabilities and weights may differ by
//! float rounding only (1e-5), since a faster path may sum in another order.
//!
//! After a deliberate change of the answers, `scripts/golden` writes the files anew.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const TOLERANCE: f64 = 1e-5;

fn accord(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_accord")).args(args).current_dir(root).output().expect("accord runs");
    assert!(output.status.success(), "accord {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("accord prints UTF-8")
}

/// The first difference between two JSON values beyond the float tolerance, by its path.
fn difference(path: &str, expected: &Value, actual: &Value) -> Option<String> {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) if e.is_f64() || a.is_f64() => {
            let (e, a) = (e.as_f64().unwrap_or(f64::NAN), a.as_f64().unwrap_or(f64::NAN));
            ((e - a).abs() > TOLERANCE).then(|| format!("{path}: {e} became {a}"))
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            e.iter().zip(a).enumerate().find_map(|(i, (e, a))| difference(&format!("{path}[{i}]"), e, a))
        }
        (Value::Object(e), Value::Object(a)) if e.keys().eq(a.keys()) => {
            e.iter().find_map(|(key, value)| difference(&format!("{path}.{key}"), value, &a[key]))
        }
        _ => (expected != actual).then(|| format!("{path}: {expected} became {actual}")),
    }
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
}

#[test]
fn classify_gives_the_stored_answers() {
    let expected = lines(&std::fs::read_to_string("tests/golden/classify.jsonl").expect("the golden answers"));
    let actual = lines(&accord(&["classify", "--explain", "3", "--sentences", "tests/golden/input.jsonl"]));
    assert_eq!(expected.len(), actual.len(), "one answer per article");
    let differences: Vec<String> = expected
        .iter()
        .zip(&actual)
        .enumerate()
        .filter_map(|(i, (e, a))| difference(&format!("line {}", i + 1), e, a))
        .collect();
    assert!(
        differences.is_empty(),
        "{} of {} answers changed:\n{}",
        differences.len(),
        expected.len(),
        differences.join("\n")
    );
}

#[test]
fn info_gives_the_stored_summary() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/golden/info.json").expect("the golden summary"))
            .expect("JSON");
    let actual: Value = serde_json::from_str(&accord(&["info", "--json"])).expect("info prints JSON");
    assert_eq!(difference("info", &expected, &actual), None);
}

#[test]
fn a_change_beyond_rounding_is_a_difference() {
    let answer: Value = serde_json::json!({"label": "tension", "probability": 0.5, "start": 3});
    let rounded = serde_json::json!({"label": "tension", "probability": 0.500004, "start": 3});
    assert_eq!(difference("a", &answer, &rounded), None);
    for changed in [
        serde_json::json!({"label": "tension", "probability": 0.5001, "start": 3}),
        serde_json::json!({"label": "neutral", "probability": 0.5, "start": 3}),
        serde_json::json!({"label": "tension", "probability": 0.5, "start": 4}),
        serde_json::json!({"label": "tension", "probability": 0.5}),
    ] {
        assert!(difference("a", &answer, &changed).is_some(), "{changed}");
    }
}
