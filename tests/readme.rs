//! The README stays short enough for a user to read, and no link in the README or in `docs/`
//! leads nowhere.

use std::fs;
use std::path::{Path, PathBuf};

const README_MAX_LINES: usize = 250;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The README and every Markdown file in `docs/`.
fn checked_documents() -> Vec<PathBuf> {
    let mut documents = vec![root().join("README.md")];
    let docs = fs::read_dir(root().join("docs")).expect("docs/ is readable");
    let mut in_docs: Vec<PathBuf> = docs
        .map(|entry| entry.expect("docs/ entry is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    in_docs.sort();
    documents.extend(in_docs);
    documents
}

/// The targets of the document's inline links (`[text](target)`) and reference definitions
/// (`[name]: target`), outside fenced code blocks.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].trim().to_owned());
            rest = &after[end + 1..];
        }
        let trimmed = line.trim_start();
        if let (true, Some(colon)) = (trimmed.starts_with('['), trimmed.find("]:")) {
            if let Some(target) = trimmed[colon + 2..].split_whitespace().next() {
                targets.push(target.to_owned());
            }
        }
    }
    targets
}

/// The file a link points to, if it is a relative link to a file (not a web address, a mail
/// address or an anchor in the same document).
fn local_path(target: &str) -> Option<&str> {
    let target = target.trim_start_matches('<').trim_end_matches('>');
    let path = target.split('#').next().unwrap_or_default();
    let external = target.contains("://") || target.starts_with("mailto:");
    (!external && !path.is_empty()).then_some(path)
}

/// Every relative link of `markdown`, found in `document`, whose file does not exist.
fn broken_links(document: &Path, markdown: &str) -> Vec<String> {
    let dir = document.parent().expect("a document has a folder");
    link_targets(markdown)
        .iter()
        .filter_map(|target| local_path(target).map(|path| (target, path)))
        .filter(|(_, path)| !dir.join(path).exists())
        .map(|(target, _)| format!("{}: ({target})", document.display()))
        .collect()
}

#[test]
fn the_readme_has_at_most_250_lines() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md is readable");
    let lines = readme.lines().count();
    assert!(lines <= README_MAX_LINES, "README.md has {lines} lines, over {README_MAX_LINES}: move detail to docs/");
}

#[test]
fn every_relative_link_in_the_readme_and_docs_points_to_a_file() {
    let documents = checked_documents();
    assert!(documents.len() > 1, "docs/ holds Markdown files: {documents:?}");
    let mut broken = Vec::new();
    let mut checked = 0;
    for document in &documents {
        let markdown = fs::read_to_string(document).expect("document is readable");
        checked += link_targets(&markdown).iter().filter(|t| local_path(t).is_some()).count();
        broken.extend(broken_links(document, &markdown));
    }
    assert!(checked > 10, "only {checked} relative links found: is the link parser still finding them?");
    assert!(broken.is_empty(), "links to files that do not exist:\n{}", broken.join("\n"));
}

#[test]
fn the_checker_finds_a_broken_link_and_passes_good_ones() {
    let document = root().join("docs").join("example.md");
    let markdown = "See [the model](model.md#heads), [the data](../data/README.md), \
        [linfa](https://github.com/rust-ml/linfa) and [above](#top).\n\
        A [missing page](missing.md#part) and a [moved file](../src/proto/codec.rs).\n\
        ```sh\njq '.[0](x)'\n```\n\
        [ref]: ../no-such-file.md\n";
    let broken = broken_links(&document, markdown);
    let display = document.display();
    assert_eq!(
        broken,
        [
            format!("{display}: (missing.md#part)"),
            format!("{display}: (../src/proto/codec.rs)"),
            format!("{display}: (../no-such-file.md)"),
        ]
    );
}
