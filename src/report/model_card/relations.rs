//! The card's "Who with whom" section: relation and article-stance figures on hand-labeled
//! news stories, beside the co-occurrence baseline.

use std::fmt::Write;

use crate::model::meta::{PairCounts, RelationValidation};

/// Renders the section from the model's recorded figures.
pub(super) fn render(card: &mut String, validation: &RelationValidation) {
    let _ = writeln!(card, "## Who with whom\n");
    let _ = writeln!(
        card,
        "Scored on {} hand-labeled news stories (`accord train --validate-news`, SHA-256 `{}`), which train nothing: the relations as `accord classify --relations` answers them, beside a co-occurrence baseline on the same stories (every pair of actors named in one sentence, stance from the sentence stance, main the most co-mentioned pair). The relation settings were chosen on these stories by `cargo run --release --example relations_eval`, which also reports a held-out check of that choice (2-fold, repeated over 5 splits).\n",
        validation.stories, validation.digest
    );
    let _ = writeln!(
        card,
        "| | pairs | precision | recall | F1 | main pair first | stance on found pairs | relation-free stories answered with none |\n|---|---|---|---|---|---|---|---|"
    );
    for (name, counts) in [("accord", &validation.relations), ("baseline", &validation.baseline)] {
        let _ = writeln!(card, "{}", row(name, counts));
    }
    let _ = writeln!(
        card,
        "\nArticle stance on the same stories: 3-class macro-F1, and cooperation-vs-tension macro-F1 on the stories labeled with either. The model serves \"no relation → neutral\" with its own relations.\n"
    );
    let _ = writeln!(card, "| relations | rule | 3-class macro-F1 | cooperation-vs-tension |\n|---|---|---|---|");
    for figure in &validation.article_stance {
        let _ = writeln!(
            card,
            "| {} | {} | {:.4} | {:.4} |",
            figure.relations, figure.rule, figure.macro_f1, figure.cooperation_vs_tension
        );
    }
    let _ = writeln!(card);
}

fn row(name: &str, c: &PairCounts) -> String {
    format!(
        "| {name} | {} predicted, {} labeled | {:.4} | {:.4} | {:.4} | {}/{} = {:.4} | {}/{} = {:.4} | {}/{} |",
        c.predicted,
        c.labeled,
        c.precision(),
        c.recall(),
        c.f1(),
        c.main_found,
        c.with_main,
        c.main_recall(),
        c.stance_right,
        c.true_pairs,
        c.stance_accuracy(),
        c.answered_none,
        c.without_relation
    )
}
