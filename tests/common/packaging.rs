//! Reading the Dockerfile and the Kubernetes manifests the way their tools do, enough to
//! check the fields that must agree.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::repo_root;

/// One Dockerfile instruction: its keyword (upper case) and the rest of its line, with
/// continuation lines joined.
#[derive(Debug, Clone)]
pub struct Instruction {
    pub keyword: String,
    pub arguments: String,
}

/// The Dockerfile's instructions, comments and blank lines dropped.
pub fn dockerfile() -> Vec<Instruction> {
    let text = std::fs::read_to_string(repo_root().join("Dockerfile")).expect("Dockerfile readable");
    let mut instructions = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if pending.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if let Some(start) = trimmed.strip_suffix('\\') {
            pending.push_str(start);
            pending.push(' ');
            continue;
        }
        pending.push_str(trimmed);
        let (keyword, arguments) = pending.split_once(char::is_whitespace).unwrap_or((&pending, ""));
        instructions.push(Instruction { keyword: keyword.to_uppercase(), arguments: arguments.trim().to_owned() });
        pending.clear();
    }
    instructions
}

/// The instructions of the last stage (the image that runs).
pub fn final_stage(instructions: &[Instruction]) -> Vec<Instruction> {
    let start = instructions.iter().rposition(|i| i.keyword == "FROM").expect("a FROM");
    instructions[start..].to_vec()
}

/// The arguments of the only `keyword` instruction in `stage`.
pub fn only<'a>(stage: &'a [Instruction], keyword: &str) -> &'a str {
    let found: Vec<&Instruction> = stage.iter().filter(|i| i.keyword == keyword).collect();
    assert_eq!(found.len(), 1, "expected one {keyword} in the stage, found {}", found.len());
    &found[0].arguments
}

/// An exec-form list (`["a", "b"]`) as its strings.
pub fn exec_form(arguments: &str) -> Vec<String> {
    serde_json::from_str(arguments).unwrap_or_else(|e| panic!("{arguments} is not an exec-form list: {e}"))
}

/// `ARG` defaults, for `${NAME}` in later instructions.
pub fn arg_defaults(instructions: &[Instruction]) -> BTreeMap<String, String> {
    instructions
        .iter()
        .filter(|i| i.keyword == "ARG")
        .filter_map(|i| i.arguments.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

/// `text` with each `${NAME}` replaced by its default.
pub fn substitute(text: &str, defaults: &BTreeMap<String, String>) -> String {
    defaults.iter().fold(text.to_owned(), |text, (name, value)| text.replace(&format!("${{{name}}}"), value))
}

/// `ENV` pairs of a stage (`ENV A=1 B=2` form), with `${NAME}` from the ARG defaults.
pub fn env(stage: &[Instruction], defaults: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    stage
        .iter()
        .filter(|i| i.keyword == "ENV")
        .flat_map(|i| i.arguments.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or_else(|| panic!("ENV {pair} is not NAME=VALUE"));
            (name.to_owned(), substitute(value, defaults))
        })
        .collect()
}

/// A manifest under deploy/, as JSON.
pub fn manifest(name: &str) -> Value {
    let text = std::fs::read_to_string(deploy_dir().join(name)).unwrap_or_else(|e| panic!("deploy/{name}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("deploy/{name} is not YAML: {e}"))
}

pub fn deploy_dir() -> PathBuf {
    repo_root().join("deploy")
}

/// The field at a JSON pointer, which must be there.
pub fn at<'v>(value: &'v Value, pointer: &str) -> &'v Value {
    value.pointer(pointer).unwrap_or_else(|| panic!("no {pointer} in {value}"))
}

/// The Deployment's only container.
pub fn container(deployment: &Value) -> &Value {
    let containers = at(deployment, "/spec/template/spec/containers").as_array().expect("a list");
    assert_eq!(containers.len(), 1, "one container expected");
    &containers[0]
}

/// The container's environment as name → value.
pub fn container_env(deployment: &Value) -> BTreeMap<String, String> {
    at(container(deployment), "/env")
        .as_array()
        .expect("env is a list")
        .iter()
        .map(|e| {
            (at(e, "/name").as_str().expect("name").to_owned(), at(e, "/value").as_str().expect("value").to_owned())
        })
        .collect()
}

/// The port `EXPOSE` names.
pub fn exposed_port(stage: &[Instruction]) -> u64 {
    only(stage, "EXPOSE").trim_end_matches("/tcp").parse().expect("EXPOSE names one port")
}
