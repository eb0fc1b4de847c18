//! The models the cases serve: the shipped model (models/default) and, for the head-changing
//! reload, a model with the `topic` head only, trained once with `accord train` on a small
//! corpus written here. Each case gets its own copy, since some rewrite `CURRENT`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::binary;

/// The version of the topic-only model.
pub const TOPIC_ONLY: &str = "topic-only";

/// Topic words: an article's topic is the list its words come from.
const TOPICS: [(&str, [&str; 6]); 3] = [
    ("world", ["minister", "embassy", "treaty", "diplomat", "border", "parliament"]),
    ("sports", ["match", "goal", "league", "coach", "season", "striker"]),
    ("business", ["market", "shares", "profit", "bank", "investors", "revenue"]),
];

/// A folder holding `default` and `topic-only`, copied for each case.
pub struct Staged {
    dir: tempfile::TempDir,
}

/// Copies the shipped model and trains the topic-only one.
pub fn stage() -> Result<Staged, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let shipped = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default/model.bin");
    copy_model(&shipped, &dir.path().join("default"))?;
    let corpus = dir.path().join("topic-only.jsonl");
    std::fs::write(&corpus, topic_only_corpus()).map_err(|e| e.to_string())?;
    let output = Command::new(binary())
        .arg("train")
        .arg("--corpus")
        .arg(&corpus)
        .arg("--out")
        .arg(dir.path().join("train-out"))
        .args(["--head-features", "1000", "--max-iterations", "30", "--date", "2026-01-01"])
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!("accord train: {}", String::from_utf8_lossy(&output.stderr)));
    }
    copy_model(&dir.path().join("train-out/model.bin"), &dir.path().join(TOPIC_ONLY))?;
    Ok(Staged { dir })
}

impl Staged {
    /// A models directory of its own: both versions, CURRENT naming `default`.
    pub fn fresh_copy(&self) -> Result<tempfile::TempDir, String> {
        let copy = tempfile::tempdir().map_err(|e| e.to_string())?;
        for version in ["default", TOPIC_ONLY] {
            copy_model(&self.dir.path().join(version).join("model.bin"), &copy.path().join(version))?;
        }
        std::fs::write(copy.path().join("CURRENT"), "default\n").map_err(|e| e.to_string())?;
        Ok(copy)
    }
}

fn copy_model(file: &Path, version_dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(version_dir).map_err(|e| e.to_string())?;
    std::fs::copy(file, version_dir.join("model.bin")).map(drop).map_err(|e| format!("{}: {e}", file.display()))
}

/// Twelve articles per topic as JSON Lines, labeled with their topic only.
fn topic_only_corpus() -> String {
    let mut lines = Vec::new();
    for (topic, words) in TOPICS {
        for variant in 0..12 {
            let pick = |i: usize| words[(variant + i * 2) % words.len()];
            let text = format!("The {} and the {} today, said the {}.", pick(0), pick(1), pick(2));
            let document = serde_json::json!({
                "id": format!("{topic}-{variant}"), "title": pick(3), "text": text, "labels": { "topic": topic },
            });
            lines.push(document.to_string());
        }
    }
    lines.join("\n")
}
