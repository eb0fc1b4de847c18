//! What a served model promises its callers: the heads it answers, each with its labels,
//! and whether it answers per-sentence stance. A reload that changes any of these changes
//! every caller's answers, so the server compares the contracts before swapping.

use crate::model::Model;

/// The differences between the contract of `served` and that of `candidate`, one sentence
/// each; empty when a caller cannot tell the two apart by the shape of their answers.
pub fn contract_changes(served: &Model, candidate: &Model) -> Vec<String> {
    let mut changes = Vec::new();
    for old in served.heads() {
        match candidate.heads().iter().find(|new| new.name == old.name) {
            None => changes.push(format!("head `{}` is missing from the new model", old.name)),
            Some(new) if new.labels != old.labels => {
                changes.push(format!("head `{}` labels change from {:?} to {:?}", old.name, old.labels, new.labels))
            }
            Some(_) => {}
        }
    }
    for new in candidate.heads().iter().filter(|new| !served.heads().iter().any(|old| old.name == new.name)) {
        changes.push(format!("head `{}` is new", new.name));
    }
    match (served.article_stance().is_some(), candidate.article_stance().is_some()) {
        (true, false) => changes.push("per-sentence stance (sentences=true) is missing from the new model".into()),
        (false, true) => changes.push("per-sentence stance (sentences=true) is new".into()),
        _ => {}
    }
    changes
}
