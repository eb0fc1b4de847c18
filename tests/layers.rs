//! The tree is the architecture: each layer of the library imports only the layers below
//! it. text → features → model → train → report; grpc translates for the service and reads
//! only the model and what it is made of. Any `crate::<layer>` path (in code or in a doc
//! link) into a layer not allowed fails this test, naming the file and line.

use std::path::{Path, PathBuf};

/// Each layer and the layers it may name, itself included.
const ALLOWED: &[(&str, &[&str])] = &[
    ("text", &["text"]),
    ("features", &["text", "features"]),
    ("model", &["text", "features", "model"]),
    ("train", &["text", "features", "model", "train"]),
    ("report", &["text", "features", "model", "train", "report"]),
    ("grpc", &["text", "features", "model", "grpc"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a layer directory is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::<name>` in `source` with its line number.
fn crate_paths(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            found.push((number + 1, name));
        }
    }
    found
}

/// The imports of each layer that go where the layer may not.
fn violations(src: &Path) -> Vec<String> {
    let layers: Vec<&str> = ALLOWED.iter().map(|(layer, _)| *layer).collect();
    let mut problems = Vec::new();
    for (layer, allowed) in ALLOWED {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        files.sort();
        for file in files {
            let source = std::fs::read_to_string(&file).expect("a source file is readable");
            for (line, name) in crate_paths(&source) {
                if layers.contains(&name.as_str()) && !allowed.contains(&name.as_str()) {
                    problems.push(format!("{}:{line}: layer `{layer}` names `crate::{name}`", file.display()));
                }
            }
        }
    }
    problems
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let problems = violations(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(problems.is_empty(), "imports against the layering:\n{}", problems.join("\n"));
}

#[test]
fn a_lower_layer_naming_a_higher_one_is_found() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for layer in ["text", "features", "model", "train", "report", "grpc"] {
        std::fs::create_dir(dir.path().join(layer)).expect("a layer directory");
    }
    std::fs::write(dir.path().join("model/mod.rs"), "use crate::train::TrainConfig;\nuse crate::text::x;\n")
        .expect("a source file");
    std::fs::write(dir.path().join("features/a.rs"), "/// See [`crate::model::Model`].\n").expect("a source file");
    let problems = violations(dir.path());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].ends_with("features/a.rs:1: layer `features` names `crate::model`"), "{problems:?}");
    assert!(problems[1].ends_with("model/mod.rs:1: layer `model` names `crate::train`"), "{problems:?}");
}
