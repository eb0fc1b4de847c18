//! Every input a fuzz target ever crashed on, replayed through the very checks the fuzzer
//! runs (`fuzz/src/checks.rs`, included here). A file in `tests/fuzz_regressions/<target>/`
//! is a crash that was fixed; this test keeps it fixed.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::PathBuf;

/// The saved inputs of one target, with their names.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file() && path.file_name().is_some_and(|n| n != "README.md"))
        .map(|path| (path.display().to_string(), std::fs::read(&path).expect("readable input")))
        .collect();
    inputs.sort();
    inputs
}

fn replay(target: &str, check: fn(&[u8])) {
    let inputs = inputs(target);
    for (name, bytes) in &inputs {
        let outcome = std::panic::catch_unwind(|| check(bytes));
        assert!(outcome.is_ok(), "{name} fails again");
    }
    // The seeds too: the fuzzers start from them, so they must pass.
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    for entry in std::fs::read_dir(&seeds).expect("seeds folder") {
        let path = entry.expect("entry").path();
        check(&std::fs::read(&path).expect("readable seed"));
    }
}

#[test]
fn tokenizer_regressions_pass() {
    replay("tokenizer", checks::tokenizer);
}

#[test]
fn vectorizer_regressions_pass() {
    replay("vectorizer", checks::vectorizer);
}

#[test]
fn model_file_regressions_pass() {
    replay("model_file", checks::model_file);
}

/// The model_file target reaches decoding only through a valid header; this shows the
/// seed body gets there (it loads), so the fuzzer explores the decoder, not the checksum.
#[test]
fn a_valid_body_behind_the_fuzzers_header_loads() {
    let body =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/model_file/fixture-model-body"))
            .expect("seed body");
    accord::Model::from_bytes(&checks::with_valid_header(&body)).expect("the seed body loads behind a valid header");
}
