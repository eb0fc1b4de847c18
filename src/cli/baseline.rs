//! A baseline learner run as an outside command on each cross-validation fold, e.g.
//! `python3 scripts/sklearn_baseline.py`: it gets the fold's training and test documents as
//! two JSON Lines files (user format) and prints `{"<head>": {"documents": n, "accuracy": a,
//! "macro_f1": f}, ...}` on standard output.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;

use accord::train::{Baseline, FoldScore};
use accord::Document;

pub struct CommandBaseline {
    /// The program and its first arguments, split on whitespace.
    words: Vec<String>,
}

impl CommandBaseline {
    pub fn new(command: &str) -> anyhow::Result<Self> {
        let words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        anyhow::ensure!(!words.is_empty(), "the baseline command is empty");
        Ok(Self { words })
    }
}

fn write_jsonl(documents: &[&Document]) -> Result<tempfile::NamedTempFile, String> {
    let mut file = tempfile::Builder::new().suffix(".jsonl").tempfile().map_err(|e| e.to_string())?;
    for document in documents {
        let line = serde_json::to_string(document).map_err(|e| e.to_string())?;
        writeln!(file, "{line}").map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())?;
    Ok(file)
}

impl Baseline for CommandBaseline {
    fn describe(&self) -> String {
        format!("`{}`", self.words.join(" "))
    }

    fn score(&self, train: &[&Document], test: &[&Document]) -> Result<BTreeMap<String, FoldScore>, String> {
        let (train_file, test_file) = (write_jsonl(train)?, write_jsonl(test)?);
        let output = Command::new(&self.words[0])
            .args(&self.words[1..])
            .arg(train_file.path())
            .arg(test_file.path())
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", self.words[0]))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!("{} exited with {}: {}", self.describe(), output.status, stderr.trim()));
        }
        serde_json::from_slice(&output.stdout).map_err(|e| format!("{} printed no scores: {e}", self.describe()))
    }
}
