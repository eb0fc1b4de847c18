//! `accord train` as a user runs it: beside model.bin and MODEL.md it writes a confusion
//! matrix and a strongest-terms picture per head, MODEL.md links each one, and the same
//! corpus and seed give the same bytes.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use common::fixture_corpus;

const PICTURES: [&str; 4] = ["confusion-stance.png", "confusion-topic.png", "terms-stance.png", "terms-topic.png"];

/// Trains the fixture corpus (written as JSON Lines) into `out` with the binary; returns
/// what it wrote to stderr (a pipe, not a terminal).
fn train_into(dir: &Path, out: &Path) -> String {
    let corpus = dir.join("corpus.jsonl");
    let lines: Vec<String> =
        fixture_corpus().documents.iter().map(|d| serde_json::to_string(d).expect("json")).collect();
    std::fs::write(&corpus, lines.join("\n")).expect("write corpus");
    let output = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("train")
        .arg("--corpus")
        .arg(&corpus)
        .arg("--out")
        .arg(out)
        .args(["--head-features", "1000", "--max-iterations", "50", "--date", "2026-01-01"])
        .output()
        .expect("accord train runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "accord train failed:\n{stderr}");
    stderr
}

/// Width, height and RGB(A) pixels of a PNG file.
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{} unreadable: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} has no PNG signature", path.display());
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().expect("a decodable PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

#[test]
fn train_writes_each_picture_beside_the_card_and_links_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("model");
    train_into(dir.path(), &out);
    for picture in PICTURES {
        let (width, height, pixels) = decode(&out.join(picture));
        assert!(width >= 400 && height >= 250, "{picture} is {width}x{height}");
        let colours: HashSet<&[u8]> = pixels.chunks_exact(3).collect();
        assert!(colours.len() >= 30, "{picture} has only {} colours: is anything drawn?", colours.len());
        let ink = pixels.chunks_exact(3).filter(|p| p.iter().any(|&c| c < 200)).count();
        let share = ink as f64 / (width * height) as f64;
        assert!((0.02..0.8).contains(&share), "{picture}: {:.1}% of the pixels are drawn on", share * 100.0);
    }
    let card = std::fs::read_to_string(out.join("MODEL.md")).expect("MODEL.md");
    for picture in PICTURES {
        assert!(card.contains(&format!("]({picture})")), "MODEL.md does not link {picture}:\n{card}");
    }
    // Every image the card links is there, beside it.
    for link in card.split("](").skip(1).filter_map(|rest| rest.split(')').next()).filter(|l| l.ends_with(".png")) {
        assert!(out.join(link).is_file(), "MODEL.md links {link}, which is missing");
    }
}

#[test]
fn a_log_shows_each_step_and_each_phase_with_its_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = train_into(dir.path(), &dir.path().join("model"));
    let timed: Vec<&str> =
        log.lines().filter_map(|l| l.strip_prefix('[')?.split_once(" s] ").map(|(_, text)| text)).collect();
    assert!(timed.contains(&"tokenizing"), "no step line in:\n{log}");
    for phase in ["tokenizing", "counting the vocabulary", "vectorizing"] {
        let ends = timed.iter().filter(|l| l.starts_with(&format!("{phase}: ")) && l.contains("(100%)")).count();
        assert!(ends >= 1, "no end line for phase `{phase}` in:\n{log}");
    }
    assert!(timed.iter().any(|l| l.starts_with("fitting head `topic`")), "no fitting step in:\n{log}");
}

#[test]
fn the_same_corpus_and_seed_give_the_same_model_and_pictures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    train_into(dir.path(), &first);
    train_into(dir.path(), &second);
    for file in PICTURES.iter().chain(&["model.bin"]) {
        let read = |dir: &Path| std::fs::read(dir.join(file)).expect("written");
        assert!(read(&first) == read(&second), "{file} differs between two trainings on the same input");
    }
}
